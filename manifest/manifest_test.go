package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/unisocket/unisocket/uni"
)

func TestManifestCommentsAndTrailingCommas(t *testing.T) {
	src := "\uFEFF/* HBuilderX */ {\n" +
		"  // line comment\n" +
		"  \"name\": \"demo\", /* inline */\n" +
		"  \"networkTimeout\": {\n" +
		"    \"request\": 10000,\n" +
		"    \"connectSocket\": 15000, // ms\n" +
		"  },\n" +
		"  \"list\": [1, 2, 3,],\n" +
		"  \"url\": \"http://x/*not a comment*/ // nor this\",\n" +
		"}\n// trailing\n"
	m, warnings, err := ParseManifest("manifest.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	if m.ConnectSocketTimeout != 15*time.Second {
		t.Errorf("ConnectSocketTimeout = %v, want 15s", m.ConnectSocketTimeout)
	}
}

func TestManifestLastLineComment(t *testing.T) {
	m, _, err := ParseManifest("m", []byte(`{"networkTimeout": {"connectSocket": 1000}} // no newline after this`))
	if err != nil {
		t.Fatal(err)
	}
	if m.ConnectSocketTimeout != time.Second {
		t.Errorf("ConnectSocketTimeout = %v, want 1s", m.ConnectSocketTimeout)
	}
}

func TestManifestDefaultTimeout(t *testing.T) {
	m, _, err := ParseManifest("manifest.json", []byte(`{"name": "x"}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := UniConfig(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 0 means uni's default, which is manifest.json's 60000 ms.
	if cfg.ConnectTimeout != 0 || uni.DefaultConnectTimeout != 60*time.Second {
		t.Errorf("ConnectTimeout = %v (default %v), want 0 and 60s", cfg.ConnectTimeout, uni.DefaultConnectTimeout)
	}
	if m, _, _ := ParseManifest("m", []byte(`{"networkTimeout": {"connectSocket": 6e4}}`)); m.ConnectSocketTimeout != time.Minute {
		t.Errorf("6e4 ms = %v, want 1m", m.ConnectSocketTimeout)
	}
}

// TestManifestSyntaxErrors pins file:line:column and what was expected.
func TestManifestSyntaxErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"missing comma", "{\n  \"a\": 1\n  \"b\": 2\n}", `m.json:3:3: expected ',' or '}' after a value in an object, found '"'`},
		{"missing colon", `{"a" 1}`, `m.json:1:6: expected ':' after the key, found '1'`},
		{"unquoted key", "{\n\tname: 1}", `m.json:2:2: unexpected "name": keys and strings need double quotes, and the only bare words are true, false and null`},
		{"single quotes", `{"a": 'x'}`, `m.json:1:7: expected a string in double quotes, found a single quote`},
		{"bare word", `{"a": yes}`, `m.json:1:7: unexpected "yes": keys and strings need double quotes, and the only bare words are true, false and null`},
		{"unterminated comment", "{\n /* open", `m.json:2:2: expected */ to end the comment that starts here, found the end of the file`},
		{"unterminated string", "{\"a\": \"x\n}", `m.json:1:7: expected '"' to end the string that starts here, found the end of the file`},
		{"bad escape", `{"a": "\q"}`, `m.json:1:9: invalid string: invalid character 'q' in string escape code`},
		{"bad unicode escape", `{"a": "\u12G4"}`, `m.json:1:12: invalid string: invalid character 'G' in \u hexadecimal character escape`},
		{"leading zero", `{"a": 012}`, `m.json:1:7: expected a number, found "012" (JSON numbers are decimal, without leading zeros)`},
		{"hex number", `{"a": 0x10}`, `m.json:1:7: expected a number, found "0x10" (JSON numbers are decimal, without leading zeros)`},
		{"lone minus", `{"a": -}`, `m.json:1:7: expected a number, found "-" (JSON numbers are decimal, without leading zeros)`},
		{"empty", ``, `m.json:1:1: expected a value, found the end of the file`},
		{"two values", `{} {}`, `m.json:1:4: expected the end of the file after the top-level value, found '{'`},
		{"unclosed object", `{"a": 1,`, `m.json:1:9: expected a value, found the end of the file`},
		{"array missing comma", `[1 2]`, `m.json:1:4: expected ',' or ']' after an array element, found '2'`},
		{"leading comma", `[,1]`, `m.json:1:2: expected a value (object, array, string, number, true, false or null), found ','`},
		{"column counts characters", "{\"名前\": 1 2}", `m.json:1:10: expected ',' or '}' after a value in an object, found '2'`},
		{"CRLF lines", "{\r\n\"a\": 1\r\n\"b\": 2}", `m.json:3:1: expected ',' or '}' after a value in an object, found '"'`},
		{"unclosed string in a comment-looking text", "{\"a\": \"// no comment", `m.json:1:7: expected '"' to end the string that starts here, found the end of the file`},
		{"unclosed key", "{\n  \"a", `m.json:2:3: expected '"' to end the string that starts here, found the end of the file`},
		{"number key", `{1: 2}`, `m.json:1:2: expected a key in double quotes or '}', found '1'`},
		{"object end", `{"a": 1]`, `m.json:1:8: expected ',' or '}' after a value in an object, found ']'`},
		{"key at the end", `{"a"`, `m.json:1:5: expected ':' after the key, found the end of the file`},
		{"array at the end", `[1`, `m.json:1:3: expected ',' or ']' in an array, found the end of the file`},
		{"object at the end", `{"a": 1`, `m.json:1:8: expected ',' or '}' in an object, found the end of the file`},
		{"after a BOM", "\uFEFF{\n 1}", `m.json:2:2: expected a key in double quotes or '}', found '1'`},
		{"control character", "{\"a\": \"x\ty\"}", `m.json:1:9: invalid string: invalid character '\t' in string literal`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseManifest("m.json", []byte(tc.src))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if err.Error() != tc.want {
				t.Fatalf("err:\n  got  %s\n  want %s", err, tc.want)
			}
		})
	}
}

func TestManifestDepthLimit(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	if _, err := parseJSONC([]byte(deep)); err == nil || !strings.Contains(err.Error(), "nest more than") {
		t.Fatalf("err = %v, want the depth limit", err)
	}
	ok := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	if _, err := parseJSONC([]byte(ok)); err != nil {
		t.Fatalf("depth %d: %v", maxDepth, err)
	}
	// Brackets in strings and comments are not nesting.
	many := strings.Repeat("[", maxDepth+1)
	for _, src := range []string{
		`["\"` + many + `"]`,
		"[// " + many + "\n1]",
		"[/* " + many + " */ 1]",
	} {
		if _, err := parseJSONC([]byte(src)); err != nil {
			t.Errorf("brackets in a string or comment counted as nesting: %v", err)
		}
	}
	// An escaped quote does not end the string, so what follows is still
	// inside it; an escaped backslash does, so what follows nests.
	if _, err := parseJSONC([]byte(`["\\", ` + deep + `]`)); err == nil || !strings.Contains(err.Error(), "nest more than") {
		t.Errorf("nesting after an escaped backslash: %v, want the depth limit", err)
	}
}

func TestManifestWrongTypes(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"top level", `[1]`, `m.json:1:1: expected an object at the top of manifest.json, found an array`},
		{"networkTimeout", `{"networkTimeout": 5}`, `m.json:1:20: expected an object of timeouts in milliseconds for "networkTimeout", found the number 5`},
		{"string timeout", "{\"networkTimeout\": {\n  \"connectSocket\": \"15000\"}}", `m.json:2:20: expected a whole number of milliseconds greater than 0 for "networkTimeout.connectSocket", found the string "15000"`},
		{"fraction", `{"networkTimeout": {"connectSocket": 1.5}}`, `m.json:1:38: expected a whole number of milliseconds greater than 0 for "networkTimeout.connectSocket", found the number 1.5`},
		{"zero", `{"networkTimeout": {"connectSocket": 0}}`, `m.json:1:38: expected a whole number of milliseconds greater than 0 for "networkTimeout.connectSocket", found the number 0`},
		{"negative", `{"networkTimeout": {"request": -1}}`, `m.json:1:32: expected a whole number of milliseconds greater than 0 for "networkTimeout.request", found the number -1`},
		{"huge", `{"networkTimeout": {"connectSocket": 1e300}}`, `m.json:1:38: expected a whole number of milliseconds greater than 0 for "networkTimeout.connectSocket", found the number 1e300`},
		{"urlCheck", `{"mp-weixin": {"setting": {"urlCheck": "false"}}}`, `m.json:1:40: expected true or false for "mp-weixin.setting.urlCheck", found the string "false"`},
		{"mp section", `{"mp-weixin": []}`, `m.json:1:15: expected an object for "mp-weixin", found an array`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseManifest("m.json", []byte(tc.src))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err:\n  got  %v\n  want %s", err, tc.want)
			}
		})
	}
}

func TestManifestUnknownKeys(t *testing.T) {
	src := "{\n" +
		"  \"unknownTopLevel\": 1,\n" + // manifest.json's own sections are not checked
		"  \"networkTimeout\": {\n" +
		"    \"conectSocket\": 1000,\n" +
		"    \"websocket\": 1000,\n" +
		"    \"request\": 1000,\n" +
		"    \"request\": 2000,\n" +
		"  }\n}"
	_, warnings, err := ParseManifest("manifest.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range warnings {
		got = append(got, w.String())
	}
	want := []string{
		`manifest.json:4:5: unknown key "conectSocket" in networkTimeout is ignored (did you mean "connectSocket"?)`,
		`manifest.json:5:5: unknown key "websocket" in networkTimeout is ignored`,
		`manifest.json:7:5: duplicate key "request" in networkTimeout (also at 6:5); the last one counts`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("warnings:\n  got  %q\n  want %q", got, want)
	}
}

func TestManifestURLCheck(t *testing.T) {
	m, _, err := ParseManifest("m", []byte(`{"mp-weixin": {"appid": "wx1", "setting": {"urlCheck": false, "es6": true}}, "mp-qq": {"setting": {}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.URLCheck, map[string]bool{"mp-weixin": false}) {
		t.Fatalf("URLCheck = %v", m.URLCheck)
	}
}

// TestManifestExamples reads the documented example files.
func TestManifestExamples(t *testing.T) {
	cfg, warnings, err := LoadFiles("../examples/manifest.json", "../examples/unisocket.config.json", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	if cfg.Profile.Name != "mp-weixin" || cfg.ConnectTimeout != 15*time.Second || cfg.SkipURLCheck ||
		!reflect.DeepEqual(cfg.Domains, []string{"wss://socket.example.com", "chat.example.com"}) || cfg.ReservedSockets != 1 {
		t.Fatalf("config from the examples: %+v", cfg)
	}
}

func TestManifestLoad(t *testing.T) {
	dir := t.TempDir()
	cfg, warnings, err := Load(dir)
	if err != nil || len(warnings) != 0 || cfg.Profile.Name != "standard" {
		t.Fatalf("Load of an empty dir = %+v, %v, %v; want standard", cfg.Profile.Name, warnings, err)
	}
	if _, _, err := LoadFiles(filepath.Join(dir, "missing.json"), "", false); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a missing required file: %v", err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(ManifestFileName, `{"networkTimeout": {"connectSocket": 500}, "mp-alipay": {"setting": {"urlCheck": false}}}`)
	write(ConfigFileName, `{"platform": "mp-alipay", "socketDomains": ["example.com"], "colour": 1}`)
	cfg, warnings, err = Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Profile.Name != "mp-alipay" || cfg.ConnectTimeout != 500*time.Millisecond || !cfg.SkipURLCheck {
		t.Fatalf("config %+v", cfg)
	}
	if len(warnings) != 1 || !strings.HasSuffix(warnings[0].String(), `unknown key "colour" in `+filepath.Join(dir, ConfigFileName)+` is ignored`) {
		t.Fatalf("warnings %v", warnings)
	}
	write(ConfigFileName, `{"platform": "mp-alipay",}}`)
	if _, _, err := Load(dir); err == nil || !strings.Contains(err.Error(), ConfigFileName+":1:27: expected the end of the file") {
		t.Fatalf("a bad file: %v", err)
	}
}
