package load

// The glue between VUs and the JavaScript runtime, on package js's public
// API: js.New, Runtime.App, Runtime.Set and Runtime.Run. Sockets are
// counted by the same uni listeners as a Go VU's (session.watch), added
// to every task the script creates, in the turn that creates it, on the
// App the script acts on; bytes by the VU's counting DialContext. The
// script's side is a small prelude: the `unisocket` helper, which checks
// its arguments and calls Go functions given with Runtime.Set, and
// wrappers of connectSocket and send that hand Go their results (package
// uni has no listener for those).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/unisocket/unisocket/js"
	"github.com/unisocket/unisocket/uni"
)

// JSOptions configure the VUs of JSScenario.
type JSOptions struct {
	// Target is the URL the script reads as unisocket.target.
	Target string
	// Stdout and Stderr receive every VU's console output; writes are
	// serialised, one line at a time. nil means os.Stdout and os.Stderr.
	Stdout, Stderr io.Writer
}

// ScriptError is an iteration whose script threw while its main module
// ran, or did not compile: the same mistake would stop every iteration.
type ScriptError = js.ScriptError

// JSScenario returns a scenario that runs the CommonJS script at path,
// once per iteration, in a fresh JavaScript runtime whose uni and wx
// globals act on a uni.App with the VU's configuration, so no global
// leaks from one VU or iteration to the next. The script sees the helper
// object unisocket:
//
//	unisocket.vu           the VU's number, from 1
//	unisocket.iteration    the VU's iteration, from 0
//	unisocket.target       the URL to load (the embedded server's by default)
//	unisocket.trend(name, ms)    adds a value in milliseconds to a trend
//	unisocket.counter(name, n)   adds n (default 1) to a counter
//	unisocket.check(name, ok)    records a check in the rate checks; returns ok
//
// An iteration ends when nothing is pending, as `unisocket run` ends.
func JSScenario(path string, o JSOptions) (Scenario, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("cannot read the script: %w", err)
	} else if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a script", path)
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	stdout, stderr := &lineWriter{w: o.Stdout}, &lineWriter{w: o.Stderr}
	if o.Stdout == o.Stderr {
		stdout = stderr
	}
	// The main module is a stand-in next to the script, so the script is
	// required by its real name and its errors point into it.
	main := filepath.Join(filepath.Dir(abs), ".unisocket-load.js")
	req, _ := json.Marshal("./" + filepath.Base(abs))
	// One source for every iteration, so it is compiled once, as the
	// script is: what differs per VU comes through the hooks.
	src := fmt.Sprintf("%s(%s);\nrequire(%s);\n", prelude, hooksName, req)
	programs := &js.Programs{}
	return func(ctx context.Context, vu *VU) error {
		rt := js.New(js.Options{Config: vu.Config(), Stdout: stdout, Stderr: stderr, Programs: programs})
		h := &jsHooks{vu: vu, app: rt.App(), sessions: map[*session]struct{}{}}
		if err := rt.Set(hooksName, h.functions(o.Target)); err != nil {
			return err
		}
		err := rt.Run(ctx, main, src)
		h.abandon()
		return err
	}, nil
}

// hooksName is the global that carries the Go functions to the prelude,
// which deletes it before the script runs.
const hooksName = "__unisocketLoad"

// prelude is a function expression called with the hooks: the VU's
// number, the iteration, the target and the Go functions.
const prelude = `(function (go) {
  delete globalThis.` + hooksName + `;
  function str(name, what) {
    if (typeof name !== 'string' || name === '') throw new TypeError('unisocket.' + what + ': the name must be a non-empty string');
    return name;
  }
  globalThis.unisocket = Object.freeze({
    vu: go.vu, iteration: go.iteration, target: go.target,
    trend: function (name, ms) {
      if (typeof ms !== 'number' || !isFinite(ms) || ms < 0) throw new TypeError('unisocket.trend: the value must be a number of milliseconds, 0 or more');
      go.trend(str(name, 'trend'), ms);
    },
    counter: function (name, n) {
      if (n === undefined) n = 1;
      if (typeof n !== 'number' || !isFinite(n)) throw new TypeError('unisocket.counter: the value must be a number');
      go.counter(str(name, 'counter'), n);
    },
    check: function (name, ok) { go.check(str(name, 'check'), !!ok); return !!ok; }
  });
  var protoDone = false;
  function hasCallback(o) {
    return typeof o.success === 'function' || typeof o.fail === 'function' || typeof o.complete === 'function';
  }
  function ok(r) { return !!r && /:ok$/.test(r.errMsg); }
  // withComplete copies the options with a complete that sees the result
  // first, then calls the script's own, as uni-app would.
  function withComplete(opts, see) {
    var o = Object.assign({}, opts), own = opts.complete;
    o.complete = function (r) {
      see(r);
      if (typeof own === 'function') own.call(own, r);
    };
    return o;
  }
  function errMsg(r) { return (r && typeof r.errMsg === 'string') ? r.errMsg : ''; }
  function sent(r) { go.sent(errMsg(r)); }
  function wrapTaskSend(task) {
    if (protoDone) return;
    protoDone = true;
    var proto = Object.getPrototypeOf(task), send = proto.send;
    proto.send = function send_(opts) {
      if (opts === null || typeof opts !== 'object') return send.apply(this, arguments);
      return send.call(this, withComplete(opts, sent));
    };
  }
  function wrapConnect(api, promiseForm) {
    var connect = api.connectSocket;
    api.connectSocket = function connectSocket(opts) {
      if (opts === null || typeof opts !== 'object') return connect.apply(this, arguments);
      var result, promise = promiseForm && !hasCallback(opts), at = go.sockets();
      var task = connect.call(this, withComplete(opts, function (r) { result = r; }));
      // In the same turn: Go adds its listeners before any event can come.
      go.connected(errMsg(result), at);
      if (ok(result)) wrapTaskSend(task);
      if (promise) return ok(result) ? Promise.resolve(result) : Promise.reject(result);
      return task;
    };
  }
  function wrapSend(api) {
    var send = api.sendSocketMessage;
    api.sendSocketMessage = function sendSocketMessage(opts) {
      if (opts === null || typeof opts !== 'object') return send.apply(this, arguments);
      if (hasCallback(opts)) return send.call(this, withComplete(opts, sent));
      return new Promise(function (resolve, reject) {
        send.call(api, withComplete(opts, function (r) { sent(r); if (ok(r)) resolve(r); else reject(r); }));
      });
    };
  }
  wrapConnect(uni, true); wrapConnect(wx, false);
  wrapSend(uni); wrapSend(wx);
})`

// jsHooks are the Go side of one iteration's runtime. Its methods run on
// the runtime's event loop, as the App's listeners do, one at a time.
type jsHooks struct {
	vu       *VU
	app      *uni.App
	sessions map[*session]struct{} // sockets whose close the metrics have not seen
}

// functions are the values and Go functions the prelude reads.
func (h *jsHooks) functions(target string) map[string]any {
	return map[string]any{
		"vu":        h.vu.ID,
		"iteration": h.vu.Iteration,
		"target":    target,
		"trend":     h.vu.TrendMS,
		"counter":   h.vu.Count,
		"check":     func(name string, ok bool) { h.vu.Check(name, ok) },
		"sockets":   func() int { return len(h.app.Sockets()) },
		"connected": h.connected,
		"sent":      h.sent,
	}
}

// connected counts a connectSocket call of the script by its result and,
// when a task was made, adds the metrics' listeners to it. The task is
// the App's socket at index at, the registry's length before the call:
// ConnectSocket appends it, sockets the script's callbacks connect come
// after it, and nothing leaves the registry in this turn (a socket leaves
// at its first error or close event, which runs in a turn of its own).
func (h *jsHooks) connected(errMsg string, at int) {
	s := h.vu.newSession()
	s.issued(errMsg)
	if !strings.HasSuffix(errMsg, ":ok") {
		return
	}
	tasks := h.app.Sockets()
	if at < 0 || at >= len(tasks) {
		return
	}
	task := tasks[at]
	h.sessions[s] = struct{}{}
	s.watch(task, true, nil)
	task.OnClose(func(uni.OnCloseResult) { delete(h.sessions, s) })
}

// sent counts a send's result: ws_msgs_sent, or uni_errors by errMsg.
func (h *jsHooks) sent(errMsg string) {
	if strings.HasSuffix(errMsg, ":ok") {
		h.vu.rec.count(MetricMsgsSent, 1)
		h.vu.t.live.sent.Add(1)
		return
	}
	h.vu.failure(errMsg)
}

// abandon forgets the sockets whose close the listeners did not see (the
// iteration was interrupted), so the open-socket count stays true. It
// runs after Run returned: the loop is done, no listener runs again.
func (h *jsHooks) abandon() {
	for s := range h.sessions {
		if s.opened {
			s.opened = false
			h.vu.t.live.open.Add(-1)
		}
		delete(h.sessions, s)
	}
}

// lineWriter serialises whole lines from many VUs onto one writer.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.write(p)
	return len(p), nil
}

func (l *lineWriter) write(p []byte) {
	l.mu.Lock()
	_, _ = l.w.Write(p)
	l.mu.Unlock()
}
