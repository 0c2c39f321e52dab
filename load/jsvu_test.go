package load_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/unisocket/unisocket/load"
)

func TestJSScenario(t *testing.T) {
	srv := startServer(t)
	var out bytes.Buffer
	sc, err := load.JSScenario("testdata/echo.js", load.JSOptions{Target: srv.URL(), Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	s := run(t, load.Options{VUs: 2, Iterations: 6}, sc).Summary
	for name, want := range map[string]float64{
		"iterations": 6, "iteration_errors": 0, "ws_sessions": 6, "ws_connecting": 6,
		"ws_msgs_sent": 12, "ws_msgs_received": 12, "rtt": 12, "closed": 6,
		"uni_close_codes{code:1000}": 6, "uni_errors": 0,
	} {
		if got := count(s, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if c := s.Metrics["checks{check:echoed}"]; c == nil || c.Passes != 12 || c.Fails != 0 {
		t.Errorf("checks{check:echoed} = %+v, want 12 passes", c)
	}
	if n := strings.Count(out.String(), "iteration "); n != 6 || strings.Contains(out.String(), "unisocket\x1f") {
		t.Errorf("output:\n%s\nwant the script's 6 lines and no event line", out.String())
	}
}

func TestJSScenarioPromiseForms(t *testing.T) {
	srv := startServer(t)
	var out bytes.Buffer
	sc, err := load.JSScenario("testdata/promise.js", load.JSOptions{Target: srv.URL(), Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	s := run(t, load.Options{VUs: 2, Iterations: 4}, sc).Summary
	for name, want := range map[string]float64{
		"iterations": 4, "iteration_errors": 0, "ws_sessions": 4, "ws_msgs_sent": 4, "ws_msgs_received": 4,
		"uni_close_codes{code:4000}": 4,
	} {
		if got := count(s, name); got != want {
			t.Errorf("%s = %v, want %v; output:\n%s", name, got, want, out.String())
		}
	}
	if c := s.Metrics["checks"]; c == nil || c.Passes != 8 || c.Fails != 0 {
		t.Errorf("checks = %+v, want 8 passes", c)
	}
}

func TestJSScenarioRefused(t *testing.T) {
	srv := startServer(t)
	var out bytes.Buffer
	sc, err := load.JSScenario("testdata/refused.js", load.JSOptions{Target: srv.URL(), Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	s := run(t, load.Options{VUs: 1, Iterations: 3}, sc).Summary
	var byMsg float64
	for name, m := range s.Metrics {
		if strings.HasPrefix(name, "uni_errors{errMsg:") && strings.Contains(name, "403") {
			byMsg += m.Count
		}
	}
	if byMsg != 3 || count(s, "uni_errors") != 3 || count(s, "uni_close_codes{code:1006}") != 3 {
		t.Errorf("uni_errors %v (naming 403: %v), close 1006 %v; want 3 each", count(s, "uni_errors"), byMsg, count(s, "uni_close_codes{code:1006}"))
	}
	if count(s, "ws_connecting") != 0 {
		t.Errorf("ws_connecting has %v samples; no socket opened", count(s, "ws_connecting"))
	}
}

func TestJSScenarioThrowsAtStart(t *testing.T) {
	var out bytes.Buffer
	sc, err := load.JSScenario("testdata/throws.js", load.JSOptions{Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	var got []error
	o := load.Options{VUs: 1, Iterations: 2, IterationError: func(vu int, err error) { got = append(got, err) }}
	s := run(t, o, sc).Summary
	if count(s, "iteration_errors") != 2 || len(got) != 1 {
		t.Fatalf("iteration_errors %v, reported %d (want 2, reported once)", count(s, "iteration_errors"), len(got))
	}
	var se *load.ScriptError
	if !errors.As(got[0], &se) || !strings.Contains(se.Text, "throws.js:1") || !strings.Contains(se.Text, "boom at start") {
		t.Errorf("error %v: want a ScriptError pointing at throws.js:1", got[0])
	}
	if _, err := load.JSScenario("testdata/nothing.js", load.JSOptions{}); err == nil || !strings.Contains(err.Error(), "cannot read the script") {
		t.Errorf("a missing script: %v", err)
	}
}

// The Go side counts a socket the script reaches only through the global
// API, from uni's own listeners; the helper's carrier is hidden.
func TestJSScenarioHooks(t *testing.T) {
	srv := startServer(t)
	var out bytes.Buffer
	sc, err := load.JSScenario("testdata/hooks.js", load.JSOptions{Target: srv.URL(), Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	s := run(t, load.Options{VUs: 1, Iterations: 2}, sc).Summary
	for name, want := range map[string]float64{
		"iterations": 2, "iteration_errors": 0, "ws_sessions": 2, "ws_connecting": 2,
		"ws_msgs_received": 4, "global message": 4, "uni_close_codes{code:4001}": 2, "uni_errors": 0,
	} {
		if got := count(s, name); got != want {
			t.Errorf("%s = %v, want %v; output:\n%s", name, got, want, out.String())
		}
	}
	if c := s.Metrics["checks"]; c == nil || c.Passes != 4 || c.Fails != 0 {
		t.Errorf("checks = %+v, want 4 passes; output:\n%s", c, out.String())
	}
	if count(s, "data_received") == 0 {
		t.Error("data_received is 0: the counting DialContext saw nothing")
	}
}

// A socket connected from another's success callback is told apart from
// the outer one: each is watched once.
func TestJSScenarioNestedConnect(t *testing.T) {
	srv := startServer(t)
	var out bytes.Buffer
	sc, err := load.JSScenario("testdata/nested.js", load.JSOptions{Target: srv.URL(), Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	s := run(t, load.Options{VUs: 1, Iterations: 2}, sc).Summary
	for name, want := range map[string]float64{
		"iterations": 2, "iteration_errors": 0, "ws_sessions": 4, "ws_connecting": 4,
		"uni_close_codes{code:4001}": 2, "uni_close_codes{code:4002}": 2, "uni_errors": 0,
	} {
		if got := count(s, name); got != want {
			t.Errorf("%s = %v, want %v; output:\n%s", name, got, want, out.String())
		}
	}
}
