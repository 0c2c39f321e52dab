package js

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// An embedder's global: a Go function called by the script on the loop,
// with its arguments converted; Set after the run is refused.
func TestSetGlobal(t *testing.T) {
	var out bytes.Buffer
	rt := New(Options{Stdout: &out, Stderr: &out})
	var got []string
	helper := map[string]any{
		"name": "load",
		"add":  func(name string, n float64) { got = append(got, name+"="+strconv.FormatFloat(n, 'g', -1, 64)) },
	}
	if err := rt.Set("helper", helper); err != nil {
		t.Fatal(err)
	}
	if err := rt.Set("", 1); err == nil {
		t.Error("Set with no name: want an error")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := rt.Run(ctx, "main.js", `helper.add(helper.name, 2); setTimeout(function () { helper.add('later', 0.5); }, 0);`)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	if want := "load=2 later=0.5"; strings.Join(got, " ") != want {
		t.Errorf("calls %q, want %q", strings.Join(got, " "), want)
	}
	if err := rt.Set("late", 1); err == nil {
		t.Error("Set after Run: want an error")
	}
}
