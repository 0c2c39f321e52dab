package js

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// runDir runs dir/main.js with no server.
func runDir(t *testing.T, dir string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	rt := New(Options{Stdout: &stdout, Stderr: &stderr})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	err := rt.RunFile(ctx, filepath.Join(dir, "main.js"))
	return result{stdout: stdout.String(), stderr: strings.ReplaceAll(stderr.String(), dir+string(filepath.Separator), ""), err: err}
}

func TestJSRequire(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.js": `
var lib = require('./lib');
var again = require('./lib.js');
console.log(lib.greet('uni'), lib === again, lib.loads());
var cfg = require('./config.json');
console.log(cfg.url, cfg.protocols.length, require('./config') === cfg);
var a = require('./cycle/a');
console.log(a.name, a.sawB, a.bSawA);
console.log(require('./sub').fromIndex, typeof module, module.id, this === module.exports);
console.log(__filename.slice(-7), require.resolve('./lib') === __dirname + '/lib.js');
try { require('./missing'); } catch (e) { console.log(e.code, e.message.split(' from ')[0]); }
try { require('lodash'); } catch (e) { console.log(e.code); }
try { require('./bad.json'); } catch (e) { console.log(e.name, /bad\.json: /.test(e.message)); }
var thrower;
try { require('./throws'); } catch (e) { console.log('throws:', e.message); }
try { require('./throws'); } catch (e) { console.log('throws again:', e.message); }
`,
		"lib.js": `
var n = 0;
n++;
exports.greet = function (who) { return 'hello ' + who; };
exports.loads = function () { return n; };
`,
		"config.json":  `{"url": "wss://www.example.com/socket", "protocols": ["a", "b"]}`,
		"bad.json":     `{"url": }`,
		"cycle/a.js":   "exports.name = 'a';\nvar b = require('./b');\nexports.sawB = b.name;\nexports.bSawA = b.sawA;\n",
		"cycle/b.js":   "var a = require('./a');\nexports.name = 'b';\nexports.sawA = a.name; // partial exports, as in Node\n",
		"sub/index.js": "module.exports = {fromIndex: true};\n",
		"throws.js":    "throw new Error('module failed');\n",
	})
	res := runDir(t, dir)
	res.ok(t, lines(
		"hello uni true 1",
		"wss://www.example.com/socket 2 true",
		"a b a",
		"true object . true",
		"main.js true",
		"MODULE_NOT_FOUND Cannot find module './missing'",
		"MODULE_NOT_FOUND",
		"SyntaxError true",
		"throws: module failed",
		"throws again: module failed",
	))
}

// A syntax error is reported with file:line:column, a code frame and the
// message, in the main module (line 1 included, despite the module
// wrapper) and in a required one.
func TestJSSyntaxError(t *testing.T) {
	for _, tc := range []struct {
		name      string
		files     map[string]string
		file      string
		line, col int
		text      string
	}{
		{
			name:  "main, line 3",
			files: map[string]string{"main.js": "var a = 1;\nvar b = 2;\nfoo(;\n"},
			file:  "main.js", line: 3, col: 5,
			text: "main.js:3:5\nfoo(;\n    ^\n\nSyntaxError: Unexpected token ;",
		},
		{
			name:  "main, line 1",
			files: map[string]string{"main.js": "var x = ;\n"},
			file:  "main.js", line: 1, col: 9,
			text: "main.js:1:9\nvar x = ;\n        ^\n\nSyntaxError: Unexpected token ;",
		},
		{
			name:  "required module",
			files: map[string]string{"main.js": "console.log('before');\nrequire('./lib/broken');\n", "lib/broken.js": "\n\tif (x {\n"},
			file:  "lib/broken.js", line: 2, col: 8,
			text: "lib/broken.js:2:8\n\tif (x {\n\t      ^\n\nUncaught SyntaxError: Unexpected token {\n    at lib/broken.js:2:8",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			res := runDir(t, dir)
			var se *ScriptError
			if !errors.As(res.err, &se) {
				t.Fatalf("Run: %v, want a *ScriptError", res.err)
			}
			if se.File != filepath.Join(dir, tc.file) || se.Line != tc.line || se.Column != tc.col {
				t.Errorf("at %s:%d:%d, want %s:%d:%d", se.File, se.Line, se.Column, tc.file, tc.line, tc.col)
			}
			if got := strings.ReplaceAll(se.Text, dir+string(filepath.Separator), ""); got != tc.text {
				t.Errorf("Text:\n%s\nwant:\n%s", got, tc.text)
			}
		})
	}
}

// An exception thrown by the main module ends the script at once, with
// the stack.
func TestJSUncaughtTopLevel(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.js": "setTimeout(function () { console.log('never'); }, 1);\nfunction fail() {\n  throw new RangeError('bad value');\n}\nfail();\n"})
	res := runDir(t, dir)
	var se *ScriptError
	if !errors.As(res.err, &se) {
		t.Fatalf("Run: %v", res.err)
	}
	want := "main.js:3:9\n  throw new RangeError('bad value');\n        ^\n\nUncaught RangeError: bad value\n    at fail (main.js:3:9)\n    at main.js:5:5"
	if got := strings.ReplaceAll(se.Text, dir+string(filepath.Separator), ""); got != want {
		t.Errorf("Text:\n%s\nwant:\n%s", got, want)
	}
	if res.stdout != "" {
		t.Errorf("stdout = %q: the loop ran after the throw", res.stdout)
	}
}
