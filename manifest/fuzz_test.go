package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// FuzzManifestReader feeds the JSON-with-comments reader arbitrary input.
// It must never panic; whatever plain JSON encoding/json accepts it must
// accept with the same value; an error must point inside the input and be
// worded for the user, not in the library's terms; and a
// document it accepts must also be accepted by ParseSocketConfig and
// ParseManifest without panicking. Seeds are in
// testdata/fuzz/FuzzManifestReader.
func FuzzManifestReader(f *testing.F) {
	f.Add([]byte(`{"networkTimeout": {"connectSocket": 1000,}, // c` + "\n}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		v, err := parseJSONC(src)
		if err != nil {
			var se *syntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v, want *syntaxError", err, err)
			}
			if strings.Contains(se.msg, "hujson") || strings.Contains(se.msg, "EOF") {
				t.Fatalf("error %q is in the library's terms, not the user's", se.msg)
			}
			if se.off < 0 || se.off > len(src) {
				t.Fatalf("error offset %d outside the input (%d bytes)", se.off, len(src))
			}
			line, col := lineCol(src, se.off)
			if line < 1 || col < 1 || line > bytes.Count(src, []byte("\n"))+1 {
				t.Fatalf("position %d:%d outside the input", line, col)
			}
			if json.Valid(src) {
				t.Fatalf("valid JSON %q refused: %v", src, err)
			}
			return
		}
		if json.Valid(src) {
			var want any
			if json.Unmarshal(src, &want) == nil {
				got, ok := v.toAny()
				if !ok {
					t.Fatalf("value of %q does not convert", src)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("value of %q:\n  got  %#v\n  want %#v", src, got, want)
				}
			}
		}
		_, _, _ = ParseManifest("f", src)
		_, _, _ = ParseSocketConfig("f", src)
	})
}

// toAny converts v to what encoding/json's Unmarshal into an any gives
// (numbers as float64; the last of duplicate keys wins). ok is false if a
// number does not fit a float64.
func (v *value) toAny() (out any, ok bool) {
	switch v.kind {
	case kindNull:
		return nil, true
	case kindBool:
		return v.boolean, true
	case kindNumber:
		f, err := strconv.ParseFloat(v.num, 64)
		return f, err == nil
	case kindString:
		return v.str, true
	case kindArray:
		a := make([]any, len(v.elems))
		for i, e := range v.elems {
			x, ok := e.toAny()
			if !ok {
				return nil, false
			}
			a[i] = x
		}
		return a, true
	}
	m := make(map[string]any, len(v.members))
	for _, mb := range v.members {
		x, ok := mb.val.toAny()
		if !ok {
			return nil, false
		}
		m[mb.key] = x
	}
	return m, true
}
