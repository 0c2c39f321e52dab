package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzManifestReader feeds the JSON-with-comments reader arbitrary input.
// It must never panic; whatever plain JSON encoding/json accepts it must
// accept with the same value; an error must point inside the input; and a
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
