package js

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/unisocket/unisocket/uni"
)

// Timers run in due order (creation order for equal delays), after the
// turn's Promise jobs; intervals repeat until cleared; extra arguments
// reach the callback. (Only the order of timers due at fixed times is
// asserted: an interval is rescheduled from when it ran.)
func TestJSTimers(t *testing.T) {
	e := newEnv(t)
	e.run(`
var log = [];
setTimeout(function () { log.push('t0 first'); }, 0);
setTimeout(function () { log.push('t0 second'); });
var dropped = setTimeout(function () { log.push('cleared!'); }, 5);
clearTimeout(dropped);
clearTimeout(undefined);
Promise.resolve().then(function () { log.push('promise job'); });
queueMicrotask(function () { log.push('microtask'); });
var n = 0;
var iv = setInterval(function () {
  log.push('interval ' + (++n));
  if (n === 3) {
    clearInterval(iv);
    setTimeout(function (a, b) {
      log.push('args ' + a + b);
      console.log(log.join('\n'));
    }, 20, 'x', 'y');
  }
}, 2);
log.push('sync');
console.log(typeof dropped, dropped > 0);
`, runOpts{}).ok(t, lines(
		"number true",
		"sync",
		"promise job",
		"microtask",
		"t0 first",
		"t0 second",
		"interval 1",
		"interval 2",
		"interval 3",
		"args xy",
	))
}

func TestJSTimerArgumentChecks(t *testing.T) {
	e := newEnv(t)
	e.run(`
try { setTimeout('code', 1); } catch (e) { console.log(e.name + ': ' + e.message); }
try { setInterval(); } catch (e) { console.log(e.name + ': ' + e.message); }
`, runOpts{}).ok(t, lines(
		`TypeError: The "callback" argument must be of type function. Received type string ('code')`,
		`TypeError: The "callback" argument must be of type function. Received undefined`,
	))
}

// A script whose socket never closes ends only by its context: Run says
// what was pending, and leaves nothing running (TestMain checks).
func TestJSNeverClosingSocketStopsOnlyByContext(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := e.run(`
uni.connectSocket({url: '@URL@/chat'});
uni.onSocketOpen(function () { console.log('open'); });
setInterval(function () {}, 60000);
setTimeout(function () {}, 60000);
`, runOpts{
		ctx: func() context.Context { return ctx },
		before: func(rt *Runtime) {
			// Stop once the socket is open: deterministic, no clock.
			rt.App().OnSocketOpen(func(uni.OnOpenResult) { cancel() })
		},
	})
	var pe *PendingError
	if !errors.As(res.err, &pe) {
		t.Fatalf("Run: %v, want a *PendingError", res.err)
	}
	want := []string{"1 socket open: " + e.srv.URL() + "/chat", "1 timer", "1 interval"}
	if !reflect.DeepEqual(pe.Pending, want) {
		t.Fatalf("Pending = %q, want %q", pe.Pending, want)
	}
	if !errors.Is(res.err, context.Canceled) {
		t.Errorf("Run: %v, want it to wrap context.Canceled", res.err)
	}
}

// JavaScript that never yields is interrupted when the context ends.
func TestJSEndlessLoopIsInterrupted(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := e.run(`
setTimeout(function spin() {
  uni.connectSocket({url: '@URL@/'});
  while (true) {}
}, 1);
`, runOpts{
		ctx:    func() context.Context { return ctx },
		onDial: cancel, // the callback is running by then, and never returns
	})
	var pe *PendingError
	if !errors.As(res.err, &pe) {
		t.Fatalf("Run: %v, want a *PendingError", res.err)
	}
	if len(pe.Pending) == 0 || !strings.HasPrefix(pe.Pending[0], "JavaScript still running at ") || !strings.Contains(pe.Pending[0], "main.js:") {
		t.Fatalf("Pending = %q", pe.Pending)
	}
}

// The main module itself can be interrupted too.
func TestJSEndlessMainModuleIsInterrupted(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := e.run("uni.connectSocket({url: '@URL@/'});\nfor (;;) {}\n", runOpts{
		ctx:    func() context.Context { return ctx },
		onDial: cancel,
	})
	var pe *PendingError
	if !errors.As(res.err, &pe) || len(pe.Pending) == 0 || !strings.HasPrefix(pe.Pending[0], "JavaScript still running at ") || !strings.Contains(pe.Pending[0], "main.js:") {
		t.Fatalf("Run: %v", res.err)
	}
}

// An unhandled rejection is reported as a browser reports it, after the
// turn's Promise jobs had their chance to handle it.
func TestJSUnhandledRejection(t *testing.T) {
	e := newEnv(t)
	res := e.run(`
var handledLater = Promise.reject(new Error('handled in the same turn'));
handledLater.catch(function () { console.log('caught'); });
Promise.reject(42);
uni.closeSocket();
`, runOpts{})
	var re *ReportedError
	if !errors.As(res.err, &re) || re.Count != 2 {
		t.Fatalf("Run: %v, want 2 reported errors; stderr:\n%s", res.err, res.stderr)
	}
	want := "Uncaught (in promise) 42\nUncaught (in promise) { errMsg: 'closeSocket:fail WebSocket is not connected' }\n"
	if res.stdout != "caught\n" || res.stderr != want {
		t.Fatalf("stdout:\n%s\nstderr:\n%s\nwant:\n%s", res.stdout, res.stderr, want)
	}
}

// A Runtime runs one script.
func TestJSRuntimeRunsOnce(t *testing.T) {
	rt := New(Options{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}})
	if err := rt.Run(context.Background(), "a.js", ""); err != nil {
		t.Fatal(err)
	}
	if err := rt.Run(context.Background(), "a.js", ""); err == nil {
		t.Fatal("second Run: no error")
	}
}
