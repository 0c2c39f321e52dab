package js

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkRuntimePerIteration is a load test's VU iteration without the
// network: a fresh Runtime runs a main module that requires a script of
// about 150 lines, compiled each time or once (Options.Programs).
func BenchmarkRuntimePerIteration(b *testing.B) {
	dir := b.TempDir()
	var src strings.Builder
	for i := range 50 {
		src.WriteString("function f" + string(rune('a'+i%26)) + "_" + strings.Repeat("x", i%5) + "(a, b) {\n")
		src.WriteString("  const o = { n: a + b, s: 'value ' + a, list: [a, b, a * b] };\n")
		src.WriteString("  return JSON.stringify(o).length;\n}\n")
	}
	src.WriteString("module.exports = 1;\n")
	if err := os.WriteFile(filepath.Join(dir, "script.js"), []byte(src.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	main := filepath.Join(dir, "main.js")
	for _, shared := range []bool{false, true} {
		name := "compile-each"
		var programs *Programs
		if shared {
			name, programs = "compiled-once", &Programs{}
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				rt := New(Options{Stdout: io.Discard, Stderr: io.Discard, Programs: programs})
				if err := rt.Run(context.Background(), main, "require('./script.js');\n"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
