package js

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Runtimes sharing a Programs run a module compiled once, each with its
// own globals; a module that does not compile fails every time with the
// same report, and is not kept.
func TestProgramsShared(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.js")
	if err := os.WriteFile(lib, []byte("globalThis.n = (globalThis.n || 0) + 1;\nmodule.exports = function () { return n; };\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.js")
	if err := os.WriteFile(bad, []byte("var x = ;\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var programs Programs
	for i := range 3 {
		var out bytes.Buffer
		rt := New(Options{Stdout: &out, Stderr: &out, Programs: &programs})
		if err := rt.Run(ctx, filepath.Join(dir, "main.js"), "console.log(require('./lib.js')());\n"); err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, out.String())
		}
		if out.String() != "1\n" {
			t.Errorf("run %d printed %q, want 1: each Runtime has its own globals", i, out.String())
		}
	}
	// The two main modules (same file, same source) and lib.js.
	if len(programs.m) != 2 {
		t.Errorf("%d programs kept, want 2", len(programs.m))
	}
	for i := range 2 {
		var out bytes.Buffer
		rt := New(Options{Stdout: &out, Stderr: &out, Programs: &programs})
		err := rt.RunFile(ctx, bad)
		var se *ScriptError
		if !errors.As(err, &se) || !strings.Contains(se.Text, "bad.js:1") {
			t.Errorf("run %d of bad.js: %v, want a ScriptError at bad.js:1", i, err)
		}
	}
	if len(programs.m) != 2 {
		t.Errorf("%d programs kept after the failures, want 2", len(programs.m))
	}
}
