package js

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// ScriptError is Run's error when the main module threw, or a module did
// not compile. Text is what the CLI prints: the place (file:line:column),
// the source line with a caret, and the error with its JavaScript stack.
type ScriptError struct {
	File   string // where the error was thrown or the syntax error is, when known
	Line   int
	Column int
	Text   string
}

// Error returns Text.
func (e *ScriptError) Error() string { return e.Text }

// ReportedError is Run's error when the script ran to its end but errors
// were reported on the way: exceptions thrown by callbacks and timers, and
// Promise rejections nobody handled. They were printed when they happened.
type ReportedError struct {
	Count int
}

// Error says how many errors were reported.
func (e *ReportedError) Error() string {
	return fmt.Sprintf("the script reported %s (printed above)", plural(e.Count, "uncaught error", "uncaught errors"))
}

// reportKind says how an exception escaping a callback is reported.
type reportKind int

const (
	// uncaught: as a browser reports an exception nobody caught,
	// "Uncaught <error>".
	uncaught reportKind = iota
	// apiCallback: as uni-app's tryCatch around success, fail and
	// complete does, console.error(e).
	apiCallback
	// listener: as uni-app H5 reports a throwing socket listener,
	// console.error(`thirdScriptError\n${e};at <where>\n`, e).
	listener
)

// invoke calls fn on the loop and reports what it throws. An interrupt
// (the context ended) marks the Runtime stopped instead.
func (r *Runtime) invoke(fn goja.Callable, this goja.Value, kind reportKind, where string, args ...goja.Value) {
	if r.stopped {
		return
	}
	if _, err := fn(this, args...); err != nil {
		r.handle(err, kind, where)
	}
}

func (r *Runtime) handle(err error, kind reportKind, where string) {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		r.stopped = true
		if fr, ok := firstFrame(ie.Stack()); ok {
			p := fr.Position()
			r.running = "JavaScript still running at " + r.location(p.Filename, p.Line, r.mods.column(p.Filename, p.Line, p.Column))
		}
		return
	}
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		r.report("Uncaught " + err.Error())
		return
	}
	switch kind {
	case listener:
		r.report(fmt.Sprintf("thirdScriptError\n%s;at %s\n %s", r.toString(ex.Value()), where, r.describeException(ex)))
	case apiCallback:
		r.report(r.describeException(ex))
	default:
		r.report("Uncaught " + r.describeException(ex))
	}
}

// report prints an error report to Stderr and counts it.
func (r *Runtime) report(text string) {
	r.reported++
	fmt.Fprintln(r.stderr, text)
}

// describeException returns an exception as console.error would print it:
// an Error's stack, or any other thrown value (a string bare, as Chromium
// prints it) followed by the stack of the throw.
func (r *Runtime) describeException(ex *goja.Exception) string {
	v := ex.Value()
	if r.isError(v) {
		return r.inspect(v)
	}
	s := r.inspect(v)
	if _, isString := v.Export().(string); isString {
		s = v.String() // console.error prints a string argument bare
	}
	if frames := r.formatFrames(ex.Stack()); frames != "" {
		s += "\n" + frames
	}
	return s
}

// scriptError turns the error that ended the main module into a
// ScriptError.
func (r *Runtime) scriptError(err error) *ScriptError {
	var ce *compileError
	if errors.As(err, &ce) {
		return r.newScriptError(ce.file, ce.line, ce.column, "SyntaxError: "+ce.msg)
	}
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		return &ScriptError{Text: err.Error()}
	}
	// A module that failed to compile inside require carries its place.
	if obj, ok := ex.Value().(*goja.Object); ok {
		if f := obj.Get("fileName"); f != nil && !goja.IsUndefined(f) {
			return r.newScriptError(f.String(), int(obj.Get("lineNumber").ToInteger()), int(obj.Get("columnNumber").ToInteger()), "Uncaught "+r.describeException(ex))
		}
	}
	if fr, ok := firstFrame(ex.Stack()); ok {
		p := fr.Position()
		line, col := p.Line, r.mods.column(p.Filename, p.Line, p.Column)
		return r.newScriptError(p.Filename, line, col, "Uncaught "+r.describeException(ex))
	}
	return &ScriptError{Text: "Uncaught " + r.describeException(ex)}
}

// newScriptError formats the place, a code frame and the message.
func (r *Runtime) newScriptError(file string, line, col int, msg string) *ScriptError {
	e := &ScriptError{File: file, Line: line, Column: col}
	var b strings.Builder
	b.WriteString(r.location(file, line, col))
	b.WriteByte('\n')
	if frame := r.mods.codeFrame(file, line, col); frame != "" {
		b.WriteString(frame)
		b.WriteString("\n\n")
	}
	b.WriteString(msg)
	e.Text = b.String()
	return e
}

// location formats file:line:column with the file as it is displayed.
func (r *Runtime) location(file string, line, col int) string {
	return fmt.Sprintf("%s:%d:%d", r.mods.display(file), line, col)
}

// compileError is a syntax error found when compiling a module.
type compileError struct {
	file         string
	line, column int
	msg          string
}

func (e *compileError) Error() string {
	return fmt.Sprintf("%s:%d:%d: SyntaxError: %s", e.file, e.line, e.column, e.msg)
}

// newCompileError converts a parser error, whose positions count the
// module wrapper on line 1.
func (r *Runtime) newCompileError(file string, err error) *compileError {
	var list parser.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		p := list[0].Position
		return &compileError{file: file, line: p.Line, column: r.mods.column(file, p.Line, p.Column), msg: list[0].Message}
	}
	var pe *parser.Error
	if errors.As(err, &pe) {
		p := pe.Position
		return &compileError{file: file, line: p.Line, column: r.mods.column(file, p.Line, p.Column), msg: pe.Message}
	}
	return &compileError{file: file, line: 1, column: 1, msg: err.Error()}
}

func firstFrame(frames []goja.StackFrame) (goja.StackFrame, bool) {
	for _, f := range frames {
		if f.Position().Filename != "" {
			return f, true
		}
	}
	return goja.StackFrame{}, false
}

// formatFrames formats stack frames as Node does, "    at fn (file:L:C)",
// leaving out frames of Go functions.
func (r *Runtime) formatFrames(frames []goja.StackFrame) string {
	var lines []string
	for _, f := range frames {
		p := f.Position()
		if p.Filename == "" {
			continue
		}
		loc := r.location(p.Filename, p.Line, r.mods.column(p.Filename, p.Line, p.Column))
		name := f.FuncName()
		if name == "" || name == "<anonymous>" {
			lines = append(lines, "    at "+loc)
		} else {
			lines = append(lines, "    at "+name+" ("+loc+")")
		}
	}
	return strings.Join(lines, "\n")
}

// cleanStack rewrites goja's Error.stack ("\tat f (file:1:70(5))") the way
// Node writes it ("    at f (file:1:5)"): the bytecode offset goes, line
// 1's column loses the module wrapper, frames of Go functions go.
func (r *Runtime) cleanStack(stack string) string {
	lines := strings.Split(strings.TrimRight(stack, "\n"), "\n")
	out := lines[:0]
	for _, ln := range lines {
		if !strings.HasPrefix(ln, "\tat ") {
			out = append(out, ln)
			continue
		}
		frame := strings.TrimPrefix(ln, "\tat ")
		name, loc := "", frame
		if strings.HasSuffix(frame, ")") {
			if i := strings.Index(frame, " ("); i >= 0 {
				name, loc = frame[:i], frame[i+2:len(frame)-1]
			}
		}
		if loc == "native" {
			continue
		}
		if i := strings.LastIndexByte(loc, '('); i > 0 && strings.HasSuffix(loc, ")") {
			loc = loc[:i]
		}
		if file, line, col, ok := splitLocation(loc); ok {
			loc = r.location(file, line, r.mods.column(file, line, col))
		}
		if name == "" {
			out = append(out, "    at "+loc)
		} else {
			out = append(out, "    at "+name+" ("+loc+")")
		}
	}
	return strings.Join(out, "\n")
}

// splitLocation splits "file:line:col".
func splitLocation(loc string) (file string, line, col int, ok bool) {
	j := strings.LastIndexByte(loc, ':')
	if j < 0 {
		return "", 0, 0, false
	}
	i := strings.LastIndexByte(loc[:j], ':')
	if i < 0 {
		return "", 0, 0, false
	}
	line, err1 := strconv.Atoi(loc[i+1 : j])
	col, err2 := strconv.Atoi(loc[j+1:])
	if err1 != nil || err2 != nil {
		return "", 0, 0, false
	}
	return loc[:i], line, col, true
}

// typeError returns a TypeError to throw with panic.
func (r *Runtime) typeError(msg string) *goja.Object { return r.vm.NewTypeError(msg) }

// newError returns an Error to throw with panic.
func (r *Runtime) newError(msg string) *goja.Object {
	obj, err := r.vm.New(r.vm.Get("Error"), r.vm.ToValue(msg))
	if err != nil {
		return r.vm.NewTypeError(msg)
	}
	return obj
}

// toString converts v as String(v) does, never throwing.
func (r *Runtime) toString(v goja.Value) (s string) {
	defer func() {
		if recover() != nil {
			s = r.inspect(v)
		}
	}()
	if v == nil {
		return "undefined"
	}
	if sym, ok := v.(*goja.Symbol); ok {
		return symbolString(sym)
	}
	return v.ToString().String()
}
