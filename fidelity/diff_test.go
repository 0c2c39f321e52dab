//go:build browser

package fidelity

import (
	"slices"
	"testing"
)

// TestDiff pins the line diff the harness judges by: a moved line is a
// change, never "the same".
func TestDiff(t *testing.T) {
	for _, c := range []struct {
		name          string
		a, b          []string
		full, changes []string
	}{
		{"same", []string{"x", "y"}, []string{"x", "y"}, []string{" x", " y"}, nil},
		{"moved", []string{"open", "ok", "close"}, []string{"ok", "open", "close"},
			[]string{"-open", " ok", "+open", " close"}, []string{"-open", "+open"}},
		{"replaced", []string{"a", "b"}, []string{"a", "c"}, []string{" a", "-b", "+c"}, []string{"-b", "+c"}},
		{"only one side", nil, []string{"extra"}, []string{"+extra"}, []string{"+extra"}},
	} {
		full, changes := diff(c.a, c.b)
		if !slices.Equal(full, c.full) || !slices.Equal(changes, c.changes) {
			t.Errorf("%s: diff(%q, %q) = %q, %q; want %q, %q", c.name, c.a, c.b, full, changes, c.full, c.changes)
		}
	}
}
