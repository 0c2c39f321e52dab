package js

import (
	"fmt"
	"math"
	"strings"

	"github.com/dop251/goja"
)

// invalidType returns the message uni-app's validating framework (Vue 2,
// src/core/helpers/params.js) gives a parameter of the wrong type, e.g.
// "parameter `url`. Expected String with value \"123\", got Number with
// value 123." The quirks (a trailing space when the received value is not
// shown) are kept, so the text matches the phone's byte for byte.
func (r *Runtime) invalidType(name string, v goja.Value, expected ...string) string {
	msg := fmt.Sprintf("parameter `%s`. Expected %s", name, strings.Join(expected, ", "))
	want := expected[0]
	got := r.rawType(v)
	if len(expected) == 1 && explicable(want) && !isBoolean(want, got) {
		msg += " with value " + r.styleValue(v, want)
	}
	msg += ", got " + got + " "
	if explicable(got) {
		msg += "with value " + r.styleValue(v, got) + "."
	}
	return msg
}

func explicable(t string) bool {
	switch strings.ToLower(t) {
	case "string", "number", "boolean":
		return true
	}
	return false
}

func isBoolean(types ...string) bool {
	for _, t := range types {
		if strings.ToLower(t) == "boolean" {
			return true
		}
	}
	return false
}

// styleValue formats v as the validator does: `"${value}"` for String,
// `${Number(value)}` for Number, `${value}` otherwise.
func (r *Runtime) styleValue(v goja.Value, t string) string {
	switch t {
	case "String":
		return `"` + r.toString(v) + `"`
	case "Number":
		return r.numberString(v)
	}
	return r.toString(v)
}

// numberString is `${Number(v)}`, never throwing.
func (r *Runtime) numberString(v goja.Value) (s string) {
	defer func() {
		if recover() != nil {
			s = "NaN"
		}
	}()
	if v == nil {
		return "NaN"
	}
	return r.vm.ToValue(v.ToNumber()).String()
}

// describeReceived says what a wrongly typed argument was, as Node's
// ERR_INVALID_ARG_TYPE messages do.
func (r *Runtime) describeReceived(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if obj, ok := v.(*goja.Object); ok {
		if _, ok := goja.AssertFunction(obj); ok {
			return "function " + obj.Get("name").String()
		}
		name := r.call1(r.helpers.ctorName, obj)
		if goja.IsNull(name) || name.String() == "" {
			return "an object"
		}
		return "an instance of " + name.String()
	}
	return fmt.Sprintf("type %s (%s)", r.typeOf(v), r.inspectDepth(v, 0))
}

// typeOf is JavaScript's typeof for a primitive.
func (r *Runtime) typeOf(v goja.Value) string {
	if _, ok := v.(*goja.Symbol); ok {
		return "symbol"
	}
	switch r.rawType(v) {
	case "String":
		return "string"
	case "Number":
		return "number"
	case "Boolean":
		return "boolean"
	case "BigInt":
		return "bigint"
	}
	return "object"
}

// toInt converts a number option as uni-app's code does with `x || 0`
// semantics left to the caller: NaN is 0; fractions are dropped; values
// beyond int range are clamped.
func toInt(f float64) int {
	switch {
	case math.IsNaN(f):
		return 0
	case f > math.MaxInt32:
		return math.MaxInt32
	case f < math.MinInt32:
		return math.MinInt32
	}
	return int(f)
}

// stringPrimitive returns v's value when v is a string primitive.
func stringPrimitive(v goja.Value) (string, bool) {
	switch v.(type) {
	case nil, *goja.Symbol, *goja.Object:
		return "", false
	}
	s, ok := v.Export().(string)
	return s, ok
}
