package js

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// The CommonJS wrapper. The prefix shares line 1 with the module's first
// line, so line numbers stay exact; columns on line 1 are corrected by
// column. A module may end with a line comment, hence the newline before
// the closing brace.
const (
	wrapperPrefix = "(function (exports, require, module, __filename, __dirname) { "
	wrapperSuffix = "\n})"
)

// modules is the CommonJS module system: a cache of module objects by
// absolute file name, and the sources, for code frames in error reports.
type modules struct {
	cache   map[string]*goja.Object
	sources map[string]string
	cwd     string
}

func (m *modules) init() {
	m.cache = map[string]*goja.Object{}
	m.sources = map[string]string{}
	m.cwd, _ = os.Getwd()
}

// display returns a file name as reports show it: relative to the current
// directory when the file is inside it, else as it is.
func (m *modules) display(file string) string {
	if m.cwd == "" || !filepath.IsAbs(file) {
		return file
	}
	rel, err := filepath.Rel(m.cwd, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return file
	}
	return rel
}

// column corrects a column on line 1 of a module, which counts the
// wrapper.
func (m *modules) column(file string, line, col int) int {
	if line != 1 {
		return col
	}
	if _, ok := m.sources[file]; ok && col > len(wrapperPrefix) {
		return col - len(wrapperPrefix)
	}
	return col
}

// codeFrame returns the source line and a caret under the column, or ""
// when the source is unknown.
func (m *modules) codeFrame(file string, line, col int) string {
	src, ok := m.sources[file]
	if !ok || line < 1 {
		return ""
	}
	lines := strings.Split(src, "\n")
	if line > len(lines) {
		return ""
	}
	text := strings.TrimRight(lines[line-1], "\r")
	// Columns count bytes; keep tabs so the caret lines up.
	var pad strings.Builder
	for i, c := range text {
		if i >= col-1 {
			break
		}
		if c == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	return text + "\n" + pad.String() + "^"
}

// resolve finds the file a require call names: relative to dir, or
// absolute; trying the name as it is, then with .js and .json, then as a
// directory with index.js or index.json, as Node does. Bare names (package
// names) are not looked up in node_modules.
func (m *modules) resolve(dir, spec string) (string, error) {
	relative := spec == "." || spec == ".." || strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../")
	if !relative && !filepath.IsAbs(spec) {
		return "", fmt.Errorf("Cannot find module '%s': only relative and absolute paths can be required (there is no node_modules lookup)", spec)
	}
	base := spec
	if !filepath.IsAbs(spec) {
		base = filepath.Join(dir, spec)
	}
	for _, c := range []string{base, base + ".js", base + ".json", filepath.Join(base, "index.js"), filepath.Join(base, "index.json")} {
		if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
			return c, nil
		}
	}
	return "", fmt.Errorf("Cannot find module '%s' from '%s'", spec, m.display(dir))
}

// loadSource runs src as the module in file abs and returns its exports.
// The module is cached before it runs, so a cycle gets its partial
// exports, and forgotten if it fails, so a later require tries again.
func (m *modules) loadSource(r *Runtime, abs, src string, main bool) (goja.Value, error) {
	vm := r.vm
	module := vm.NewObject()
	exports := vm.NewObject()
	id := abs
	if main {
		id = "."
	}
	_ = module.Set("id", id)
	_ = module.Set("filename", abs)
	_ = module.Set("loaded", false)
	_ = module.Set("exports", exports)
	m.cache[abs] = module

	if strings.EqualFold(filepath.Ext(abs), ".json") {
		v, err := r.helpers.jsonParse(goja.Undefined(), vm.ToValue(src))
		if err != nil {
			delete(m.cache, abs)
			return nil, err
		}
		_ = module.Set("exports", v)
		_ = module.Set("loaded", true)
		return v, nil
	}

	if strings.HasPrefix(src, "#!") {
		src = "//" + src[2:] // a shebang line; same length, same positions
	}
	m.sources[abs] = src
	prg, err := r.programs.get(abs, src, r.compile)
	if err != nil {
		delete(m.cache, abs)
		return nil, err
	}
	fnv, err := vm.RunProgram(prg)
	if err != nil {
		delete(m.cache, abs)
		return nil, err
	}
	fn, ok := goja.AssertFunction(fnv)
	if !ok {
		delete(m.cache, abs)
		return nil, fmt.Errorf("js: module %s did not compile to a function", abs)
	}
	dir := filepath.Dir(abs)
	_, err = fn(exports, exports, r.makeRequire(dir), module, vm.ToValue(abs), vm.ToValue(dir))
	if err != nil {
		delete(m.cache, abs)
		return nil, err
	}
	_ = module.Set("loaded", true)
	return module.Get("exports"), nil
}

// compile compiles the module in file abs, wrapped as CommonJS.
func (r *Runtime) compile(abs, src string) (*goja.Program, error) {
	ast, err := parser.ParseFile(nil, abs, wrapperPrefix+src+wrapperSuffix, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, r.newCompileError(abs, err)
	}
	prg, err := goja.CompileAST(ast, false)
	if err != nil {
		return nil, r.compilerError(abs, err)
	}
	return prg, nil
}

// compilerError converts an error of goja's compiler (an early error the
// parser lets through, such as an invalid assignment target).
func (r *Runtime) compilerError(file string, err error) error {
	var se *goja.CompilerSyntaxError
	if errors.As(err, &se) && se.File != nil {
		p := se.File.Position(se.Offset)
		return &compileError{file: file, line: p.Line, column: r.mods.column(file, p.Line, p.Column), msg: se.Message}
	}
	var re *goja.CompilerReferenceError
	if errors.As(err, &re) && re.File != nil {
		p := re.File.Position(re.Offset)
		return &compileError{file: file, line: p.Line, column: r.mods.column(file, p.Line, p.Column), msg: re.Message}
	}
	return r.newCompileError(file, err)
}

// makeRequire returns the require function of modules in dir.
func (r *Runtime) makeRequire(dir string) goja.Value {
	require := r.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		return r.require(dir, call.Argument(0))
	}).(*goja.Object)
	_ = require.Set("resolve", func(call goja.FunctionCall) goja.Value {
		spec, ok := stringPrimitive(call.Argument(0))
		if !ok {
			panic(r.typeError(`The "request" argument must be of type string. Received ` + r.describeReceived(call.Argument(0))))
		}
		abs, err := r.mods.resolve(dir, spec)
		if err != nil {
			panic(r.moduleNotFound(err))
		}
		return r.vm.ToValue(abs)
	})
	return require
}

// require loads (or finds in the cache) the module spec names. Errors are
// thrown into the calling JavaScript.
func (r *Runtime) require(dir string, specV goja.Value) goja.Value {
	spec, ok := stringPrimitive(specV)
	if !ok {
		panic(r.typeError(`The "id" argument must be of type string. Received ` + r.describeReceived(specV)))
	}
	abs, err := r.mods.resolve(dir, spec)
	if err != nil {
		panic(r.moduleNotFound(err))
	}
	if m, ok := r.mods.cache[abs]; ok {
		return m.Get("exports")
	}
	src, err := os.ReadFile(abs)
	if err != nil {
		panic(r.newError(fmt.Sprintf("Cannot read module '%s': %v", spec, err)))
	}
	v, err := r.mods.loadSource(r, abs, string(src), false)
	if err != nil {
		var ce *compileError
		if errors.As(err, &ce) {
			panic(r.syntaxError(ce))
		}
		if strings.EqualFold(filepath.Ext(abs), ".json") {
			// JSON.parse's message names no file; Node's does.
			panic(r.jsonError(abs, src))
		}
		panic(err) // a JavaScript exception or an interrupt: let it go on up
	}
	return v
}

func (r *Runtime) moduleNotFound(err error) *goja.Object {
	e := r.newError(err.Error())
	_ = e.Set("code", "MODULE_NOT_FOUND")
	return e
}

// syntaxError returns the SyntaxError require throws for a module that
// does not compile. It carries the place as Firefox's errors do
// (fileName, lineNumber, columnNumber), which the report of an uncaught
// error uses for its code frame.
func (r *Runtime) syntaxError(ce *compileError) *goja.Object {
	ctor := r.vm.Get("SyntaxError")
	e, err := r.vm.New(ctor, r.vm.ToValue(ce.msg))
	if err != nil {
		return r.newError(ce.msg)
	}
	_ = e.Set("fileName", ce.file)
	_ = e.Set("lineNumber", ce.line)
	_ = e.Set("columnNumber", ce.column)
	_ = e.Set("stack", "SyntaxError: "+ce.msg+"\n    at "+r.location(ce.file, ce.line, ce.column))
	return e
}

// jsonError returns the SyntaxError for a .json module that does not
// parse, naming the file.
func (r *Runtime) jsonError(abs string, src []byte) *goja.Object {
	_, err := r.helpers.jsonParse(goja.Undefined(), r.vm.ToValue(string(src)))
	msg := "invalid JSON"
	var ex *goja.Exception
	if errors.As(err, &ex) {
		if obj, ok := ex.Value().(*goja.Object); ok {
			msg = obj.Get("message").String()
		}
	}
	ctor := r.vm.Get("SyntaxError")
	e, cerr := r.vm.New(ctor, r.vm.ToValue(r.mods.display(abs)+": "+msg))
	if cerr != nil {
		return r.newError(msg)
	}
	return e
}
