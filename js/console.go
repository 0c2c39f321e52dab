package js

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/dop251/goja"
)

// installConsole installs console. log, info, debug and dir write to
// Stdout; warn, error, trace and assert to Stderr, as Node does.
func (r *Runtime) installConsole() {
	c := r.vm.NewObject()
	out := func(w io.Writer) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			fmt.Fprintln(w, r.format(call.Arguments))
			return goja.Undefined()
		}
	}
	_ = c.Set("log", out(r.stdout))
	_ = c.Set("info", out(r.stdout))
	_ = c.Set("debug", out(r.stdout))
	_ = c.Set("warn", out(r.stderr))
	_ = c.Set("error", out(r.stderr))
	_ = c.Set("dir", func(call goja.FunctionCall) goja.Value {
		fmt.Fprintln(r.stdout, r.inspect(call.Argument(0)))
		return goja.Undefined()
	})
	_ = c.Set("trace", func(call goja.FunctionCall) goja.Value {
		msg := "Trace"
		if len(call.Arguments) > 0 {
			msg += ": " + r.format(call.Arguments)
		}
		if frames := r.formatFrames(r.vm.CaptureCallStack(0, nil)); frames != "" {
			msg += "\n" + frames
		}
		fmt.Fprintln(r.stderr, msg)
		return goja.Undefined()
	})
	_ = c.Set("assert", func(call goja.FunctionCall) goja.Value {
		if call.Argument(0).ToBoolean() {
			return goja.Undefined()
		}
		msg := "Assertion failed"
		if len(call.Arguments) > 1 {
			msg += ": " + r.format(call.Arguments[1:])
		}
		fmt.Fprintln(r.stderr, msg)
		return goja.Undefined()
	})
	_ = r.vm.GlobalObject().Set("console", c)
}

// format formats console arguments as Node's util.format does: a first
// string argument may hold %s, %d, %i, %f, %j, %o, %O, %c and %%; the
// remaining arguments follow, strings as they are and other values
// inspected, separated by spaces.
func (r *Runtime) format(args []goja.Value) string {
	if len(args) == 0 {
		return ""
	}
	var b strings.Builder
	rest := args
	if s, ok := stringPrimitive(args[0]); ok && strings.IndexByte(s, '%') >= 0 {
		rest = args[1:]
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c != '%' || i+1 == len(s) {
				b.WriteByte(c)
				continue
			}
			verb := s[i+1]
			if verb == '%' {
				b.WriteByte('%')
				i++
				continue
			}
			if !strings.ContainsRune("sdifjoOc", rune(verb)) || len(rest) == 0 {
				b.WriteByte(c)
				continue
			}
			arg := rest[0]
			rest = rest[1:]
			i++
			switch verb {
			case 's':
				if _, ok := arg.(*goja.Object); ok {
					b.WriteString(r.inspectDepth(arg, 1))
				} else if str, ok := stringPrimitive(arg); ok {
					b.WriteString(str)
				} else {
					b.WriteString(r.inspectDepth(arg, 0))
				}
			case 'd', 'i':
				f := r.number(arg)
				if verb == 'i' && !math.IsNaN(f) && !math.IsInf(f, 0) {
					f = math.Trunc(f)
				}
				b.WriteString(r.vm.ToValue(f).String())
			case 'f':
				b.WriteString(r.vm.ToValue(r.number(arg)).String())
			case 'j':
				j, err := r.helpers.jsonStringify(goja.Undefined(), arg)
				if err != nil {
					b.WriteString("[Circular]")
				} else {
					b.WriteString(r.toString(j))
				}
			case 'o', 'O':
				b.WriteString(r.inspect(arg))
			case 'c':
				// CSS styling: consumed and ignored, as Node does.
			}
		}
	} else {
		b.WriteString(r.plain(args[0]))
		rest = args[1:]
	}
	for _, a := range rest {
		b.WriteByte(' ')
		b.WriteString(r.plain(a))
	}
	return b.String()
}

// plain formats one console argument: a string as it is, anything else
// inspected.
func (r *Runtime) plain(v goja.Value) string {
	if s, ok := stringPrimitive(v); ok {
		return s
	}
	return r.inspect(v)
}

// number converts v as Number(v) does, never throwing.
func (r *Runtime) number(v goja.Value) (f float64) {
	defer func() {
		if recover() != nil {
			f = math.NaN()
		}
	}()
	if _, ok := v.(*goja.Symbol); ok {
		return math.NaN()
	}
	return v.ToFloat()
}
