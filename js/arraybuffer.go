package js

import (
	"encoding/base64"
	"reflect"
	"strings"

	"github.com/dop251/goja"
)

var arrayBufferType = reflect.TypeOf(goja.ArrayBuffer{})

// helpers are built-in JavaScript functions the Go side needs, taken when
// the Runtime is created, before any script could replace them.
type helpers struct {
	tag           goja.Callable // Object.prototype.toString's tag: "Map", "Uint8Array", ...
	isView        goja.Callable // ArrayBuffer.isView
	jsonParse     goja.Callable // JSON.parse
	jsonStringify goja.Callable // JSON.stringify
	entries       goja.Callable // Array.from, for Map and Set
	ctorName      goja.Callable // the name of an object's constructor; null for a null prototype
	accessor      goja.Callable // "Getter", "Setter", "Getter/Setter" or "" for an own property
}

const helpersSource = `(function () {
	var toString = Object.prototype.toString;
	var getProto = Object.getPrototypeOf;
	var getDesc = Object.getOwnPropertyDescriptor;
	var from = Array.from;
	return {
		tag: function (v) { return toString.call(v).slice(8, -1); },
		isView: ArrayBuffer.isView,
		jsonParse: JSON.parse,
		jsonStringify: JSON.stringify,
		entries: function (v) { return from(v); },
		ctorName: function (o) {
			try {
				var p = getProto(o);
				if (p === null) return null;
				var c = p.constructor;
				return typeof c === 'function' && typeof c.name === 'string' ? c.name : '';
			} catch (e) { return ''; }
		},
		accessor: function (o, k) {
			var d = getDesc(o, k);
			if (!d || (!d.get && !d.set)) return '';
			return d.get && d.set ? 'Getter/Setter' : d.get ? 'Getter' : 'Setter';
		}
	};
})()`

func (h *helpers) init(vm *goja.Runtime) {
	v, err := vm.RunScript("unisocket:helpers", helpersSource)
	if err != nil {
		panic("js: helpers: " + err.Error()) // a bug in helpersSource
	}
	obj := v.ToObject(vm)
	fn := func(name string) goja.Callable {
		f, ok := goja.AssertFunction(obj.Get(name))
		if !ok {
			panic("js: helper " + name + " is not a function")
		}
		return f
	}
	h.tag = fn("tag")
	h.isView = fn("isView")
	h.jsonParse = fn("jsonParse")
	h.jsonStringify = fn("jsonStringify")
	h.entries = fn("entries")
	h.ctorName = fn("ctorName")
	h.accessor = fn("accessor")
}

func (r *Runtime) call1(f goja.Callable, args ...goja.Value) goja.Value {
	v, err := f(goja.Undefined(), args...)
	if err != nil {
		return goja.Undefined()
	}
	return v
}

// rawType is Object.prototype.toString's tag for v ("Number", "Object",
// "ArrayBuffer", "Null", ...), which uni-app's validator calls the type.
func (r *Runtime) rawType(v goja.Value) string {
	if v == nil {
		return "Undefined"
	}
	return r.call1(r.helpers.tag, v).String()
}

// isArrayBuffer reports whether v is an ArrayBuffer.
func isArrayBuffer(v goja.Value) (goja.ArrayBuffer, bool) {
	obj, ok := v.(*goja.Object)
	if !ok || obj.ExportType() != arrayBufferType {
		return goja.ArrayBuffer{}, false
	}
	ab, ok := obj.Export().(goja.ArrayBuffer)
	return ab, ok
}

// isView reports whether v is a typed array or a DataView.
func (r *Runtime) isView(v goja.Value) bool {
	if _, ok := v.(*goja.Object); !ok {
		return false
	}
	return r.call1(r.helpers.isView, v).ToBoolean()
}

// bytesOf returns the bytes of an ArrayBuffer, or the bytes a typed array
// or DataView views. The slice aliases the JavaScript memory.
func (r *Runtime) bytesOf(v goja.Value) ([]byte, bool) {
	if ab, ok := isArrayBuffer(v); ok {
		return ab.Bytes(), true
	}
	if !r.isView(v) {
		return nil, false
	}
	obj := v.(*goja.Object)
	ab, ok := isArrayBuffer(obj.Get("buffer"))
	if !ok {
		return nil, false
	}
	b := ab.Bytes()
	off, n := obj.Get("byteOffset").ToInteger(), obj.Get("byteLength").ToInteger()
	if off < 0 || n < 0 || off+n > int64(len(b)) {
		return nil, false
	}
	return b[off : off+n], true
}

// newArrayBuffer returns an ArrayBuffer over b (not copied).
func (r *Runtime) newArrayBuffer(b []byte) goja.Value {
	if b == nil {
		b = []byte{}
	}
	return r.vm.ToValue(r.vm.NewArrayBuffer(b))
}

// arrayBufferToBase64 is uni.arrayBufferToBase64: standard base64 with
// padding. Typed arrays and DataViews give their viewed bytes.
func (r *Runtime) arrayBufferToBase64(call goja.FunctionCall) goja.Value {
	b, ok := r.bytesOf(call.Argument(0))
	if !ok {
		panic(r.typeError("arrayBufferToBase64: the argument must be an ArrayBuffer, got " + r.rawType(call.Argument(0))))
	}
	return r.vm.ToValue(base64.StdEncoding.EncodeToString(b))
}

// base64ToArrayBuffer is uni.base64ToArrayBuffer. It is lenient as
// uni-app's decoder is: white space is skipped, padding is optional, and
// the URL-safe alphabet is accepted.
func (r *Runtime) base64ToArrayBuffer(call goja.FunctionCall) goja.Value {
	s, ok := stringPrimitive(call.Argument(0))
	if !ok {
		panic(r.typeError("base64ToArrayBuffer: the argument must be a string, got " + r.rawType(call.Argument(0))))
	}
	s = strings.Map(func(c rune) rune {
		switch c {
		case ' ', '\t', '\n', '\r', '\f', '=':
			return -1
		case '-':
			return '+'
		case '_':
			return '/'
		}
		return c
	}, s)
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		panic(r.typeError("base64ToArrayBuffer: " + err.Error()))
	}
	return r.newArrayBuffer(b)
}
