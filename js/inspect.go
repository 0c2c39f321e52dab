package js

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// Formatting of values for console output, modelled on Node's
// util.inspect with its defaults: two levels of nesting, single-quoted
// nested strings, objects on one line when they fit in 80 columns.

const (
	inspectDepth = 2   // nesting levels shown, as util.inspect's default
	breakLength  = 80  // an object longer than this is printed one entry a line
	maxItems     = 100 // array and typed-array elements shown
)

var identifierRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// inspect formats v as console.log formats a value that is not a string.
func (r *Runtime) inspect(v goja.Value) string { return r.inspectDepth(v, inspectDepth) }

// inspectDepth formats v showing depth levels of nesting.
func (r *Runtime) inspectDepth(v goja.Value, depth int) (s string) {
	defer func() {
		// A getter or a Proxy trap may throw; formatting never should.
		if recover() != nil {
			s = "[uninspectable value]"
		}
	}()
	in := &inspector{r: r}
	return in.format(v, depth, 0)
}

type inspector struct {
	r    *Runtime
	seen []*goja.Object // the objects being formatted, outermost first
}

func (in *inspector) format(v goja.Value, depth, indent int) string {
	r := in.r
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if sym, ok := v.(*goja.Symbol); ok {
		return symbolString(sym)
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return in.primitive(v)
	}
	for _, o := range in.seen {
		if o == obj {
			return "[Circular]"
		}
	}
	if _, ok := goja.AssertFunction(obj); ok {
		name := obj.Get("name")
		if name == nil || goja.IsUndefined(name) || name.String() == "" {
			return "[Function (anonymous)]"
		}
		return "[Function: " + name.String() + "]"
	}
	if obj.ClassName() == "Error" {
		return in.error(obj, indent)
	}
	tag := r.rawType(obj)
	switch {
	case tag == "ArrayBuffer":
		if ab, ok := isArrayBuffer(obj); ok {
			return "ArrayBuffer { byteLength: " + strconv.Itoa(len(ab.Bytes())) + " }"
		}
	case tag == "DataView":
		return "DataView { byteLength: " + obj.Get("byteLength").String() + ", byteOffset: " + obj.Get("byteOffset").String() + " }"
	case r.isView(obj):
		return in.typedArray(obj, tag, depth, indent)
	case tag == "Date":
		if t, ok := obj.Export().(time.Time); ok && !t.IsZero() {
			if f, ok := goja.AssertFunction(obj.Get("toISOString")); ok {
				if s, err := f(obj); err == nil {
					return s.String()
				}
			}
		}
		return "Invalid Date"
	case tag == "RegExp":
		return r.toString(obj)
	case tag == "Promise":
		if p, ok := obj.Export().(*goja.Promise); ok {
			return in.promise(p, depth, indent)
		}
	}

	in.seen = append(in.seen, obj)
	defer func() { in.seen = in.seen[:len(in.seen)-1] }()

	switch tag {
	case "Array":
		if depth < 0 {
			return "[Array]"
		}
		return in.array(obj, depth, indent)
	case "Map", "Set":
		if depth < 0 {
			return "[" + tag + "]"
		}
		return in.collection(obj, tag, depth, indent)
	}
	return in.object(obj, depth, indent)
}

func (in *inspector) primitive(v goja.Value) string {
	switch x := v.Export().(type) {
	case string:
		return quote(x)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == 0 && math.Signbit(x) {
			return "-0"
		}
		return v.String()
	}
	if in.r.rawType(v) == "BigInt" {
		return v.String() + "n"
	}
	return v.String()
}

// error formats an Error as its stack, as Node prints it.
func (in *inspector) error(obj *goja.Object, indent int) string {
	var s string
	if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) && !goja.IsNull(st) {
		s = in.r.cleanStack(st.String())
	} else {
		s = in.r.toString(obj)
	}
	if len(in.seen) > 0 {
		// Nested: keep the stack lines under the entry.
		s = strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", indent))
		return "[" + s + "]"
	}
	return s
}

func (in *inspector) promise(p *goja.Promise, depth, indent int) string {
	switch p.State() {
	case goja.PromiseStatePending:
		return "Promise { <pending> }"
	case goja.PromiseStateRejected:
		return "Promise { <rejected> " + in.format(p.Result(), depth-1, indent+2) + " }"
	}
	return "Promise { " + in.format(p.Result(), depth-1, indent+2) + " }"
}

func (in *inspector) array(obj *goja.Object, depth, indent int) string {
	n := int(obj.Get("length").ToInteger())
	entries := make([]string, 0, min(n, maxItems)+1)
	for i := 0; i < n && i < maxItems; i++ {
		entries = append(entries, in.format(obj.Get(strconv.Itoa(i)), depth-1, indent+2))
	}
	if n > maxItems {
		entries = append(entries, "... "+plural(n-maxItems, "more item", "more items"))
	}
	entries = append(entries, in.extraKeys(obj, n, depth, indent)...)
	return group("", "[", "]", entries, indent)
}

func (in *inspector) typedArray(obj *goja.Object, tag string, depth, indent int) string {
	n := int(obj.Get("length").ToInteger())
	prefix := tag + "(" + strconv.Itoa(n) + ") "
	if depth < 0 {
		return "[" + tag + "]"
	}
	entries := make([]string, 0, min(n, maxItems)+1)
	for i := 0; i < n && i < maxItems; i++ {
		entries = append(entries, in.primitive(obj.Get(strconv.Itoa(i))))
	}
	if n > maxItems {
		entries = append(entries, "... "+plural(n-maxItems, "more item", "more items"))
	}
	return group(prefix, "[", "]", entries, indent)
}

func (in *inspector) collection(obj *goja.Object, tag string, depth, indent int) string {
	list := in.r.call1(in.r.helpers.entries, obj)
	lo, ok := list.(*goja.Object)
	if !ok {
		return tag + " {}"
	}
	n := int(lo.Get("length").ToInteger())
	entries := make([]string, 0, min(n, maxItems)+1)
	for i := 0; i < n && i < maxItems; i++ {
		e := lo.Get(strconv.Itoa(i))
		if tag == "Map" {
			pair := e.ToObject(in.r.vm)
			entries = append(entries, in.format(pair.Get("0"), depth-1, indent+2)+" => "+in.format(pair.Get("1"), depth-1, indent+2))
		} else {
			entries = append(entries, in.format(e, depth-1, indent+2))
		}
	}
	if n > maxItems {
		entries = append(entries, "... "+plural(n-maxItems, "more item", "more items"))
	}
	return group(tag+"("+strconv.Itoa(n)+") ", "{", "}", entries, indent)
}

func (in *inspector) object(obj *goja.Object, depth, indent int) string {
	prefix := ""
	name := in.r.call1(in.r.helpers.ctorName, obj)
	switch {
	case goja.IsNull(name):
		prefix = "[Object: null prototype] "
	case name.String() != "" && name.String() != "Object":
		prefix = name.String() + " "
	}
	if depth < 0 && len(obj.Keys()) > 0 {
		if prefix == "" || strings.HasPrefix(prefix, "[") {
			return "[Object]"
		}
		return "[" + strings.TrimSpace(prefix) + "]"
	}
	entries := in.extraKeys(obj, -1, depth, indent)
	if len(entries) == 0 {
		return prefix + "{}"
	}
	return group(prefix, "{", "}", entries, indent)
}

// extraKeys formats an object's own enumerable properties as "key: value";
// for an array of length n, only the keys that are not indexes.
func (in *inspector) extraKeys(obj *goja.Object, n, depth, indent int) []string {
	var entries []string
	for _, k := range obj.Keys() {
		if n >= 0 {
			if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < n {
				continue
			}
		}
		key := k
		if !identifierRE.MatchString(k) {
			key = quote(k)
		}
		if acc := in.r.call1(in.r.helpers.accessor, obj, in.r.vm.ToValue(k)).String(); acc != "" {
			entries = append(entries, key+": ["+acc+"]")
			continue
		}
		entries = append(entries, key+": "+in.format(obj.Get(k), depth-1, indent+2))
	}
	for _, sym := range obj.Symbols() {
		if sym == in.r.taskKey {
			continue
		}
		entries = append(entries, "["+symbolString(sym)+"]: "+in.format(obj.GetSymbol(sym), depth-1, indent+2))
	}
	return entries
}

// group joins entries on one line when they fit, else one a line.
func group(prefix, open, close string, entries []string, indent int) string {
	if len(entries) == 0 {
		return prefix + open + close
	}
	total := len(prefix) + len(open) + len(close) + indent
	multiline := false
	for _, e := range entries {
		total += len(e) + 2
		if strings.Contains(e, "\n") {
			multiline = true
		}
	}
	if !multiline && total <= breakLength {
		return prefix + open + " " + strings.Join(entries, ", ") + " " + close
	}
	pad := strings.Repeat(" ", indent+2)
	return prefix + open + "\n" + pad + strings.Join(entries, ",\n"+pad) + "\n" + strings.Repeat(" ", indent) + close
}

// quote quotes a string as Node does: single quotes unless the string
// holds one (then double quotes, or backticks if it holds both).
func quote(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 {
		switch {
		case strings.IndexByte(s, '"') < 0:
			q = '"'
		case strings.IndexByte(s, '`') < 0 && !strings.Contains(s, "${"):
			q = '`'
		}
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, c := range s {
		switch {
		case c == rune(q) || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c == '\v':
			b.WriteString(`\v`)
		case c < 0x20 || c == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(strings.ToUpper(strconv.FormatInt(int64(c)+0x100, 16)[1:]))
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// isError reports whether v is an Error object.
func (r *Runtime) isError(v goja.Value) bool {
	obj, ok := v.(*goja.Object)
	return ok && obj.ClassName() == "Error"
}

// symbolString is String(sym): "Symbol(description)".
func symbolString(sym *goja.Symbol) string { return "Symbol(" + sym.String() + ")" }
