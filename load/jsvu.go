package load

// The glue between VUs and the JavaScript runtime. It uses only package
// js's public API (js.New, Runtime.Run): a prelude installs the
// `unisocket` helper and wraps uni/wx.connectSocket, sendSocketMessage
// and SocketTask.prototype.send so every socket is observed, and reports
// to Go through console.log lines that carry a marker, which the VU's
// stdout writer takes out of the output. This file is all that changes
// when the runtime offers a hook of its own.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/unisocket/unisocket/js"
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
	target, _ := json.Marshal(o.Target)
	return func(ctx context.Context, vu *VU) error {
		ev := &jsEvents{vu: vu, out: stdout, sessions: map[int]*session{}}
		rt := js.New(js.Options{Config: vu.Config(), Stdout: ev, Stderr: stderr})
		src := fmt.Sprintf("%s(%d, %d, %s);\nrequire(%s);\n", prelude, vu.ID, vu.Iteration, target, req)
		err := rt.Run(ctx, main, src)
		ev.flush()
		ev.abandon()
		return err
	}, nil
}

// marker starts a console line that carries an event for Go.
const marker = "\x1eunisocket\x1f"

// prelude is a function expression called with the VU's number, the
// iteration and the target.
const prelude = `(function (vu, iteration, target) {
  var log = console.log;
  function emit() { log('%s', '` + marker + `' + JSON.stringify(Array.prototype.slice.call(arguments))); }
  function str(name, what) {
    if (typeof name !== 'string' || name === '') throw new TypeError('unisocket.' + what + ': the name must be a non-empty string');
    return name;
  }
  globalThis.unisocket = Object.freeze({
    vu: vu, iteration: iteration, target: target,
    trend: function (name, ms) {
      if (typeof ms !== 'number' || !isFinite(ms) || ms < 0) throw new TypeError('unisocket.trend: the value must be a number of milliseconds, 0 or more');
      emit('t', str(name, 'trend'), ms);
    },
    counter: function (name, n) {
      if (n === undefined) n = 1;
      if (typeof n !== 'number' || !isFinite(n)) throw new TypeError('unisocket.counter: the value must be a number');
      emit('c', str(name, 'counter'), n);
    },
    check: function (name, ok) { emit('k', str(name, 'check'), !!ok); return !!ok; }
  });
  var seq = 0, protoDone = false;
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
  function sent(r) { emit(ok(r) ? 'w' : 'f', r && r.errMsg || ''); }
  function watch(task, id) {
    task.onOpen(function () { emit('o', id); });
    task.onMessage(function () { emit('m', id); });
    task.onError(function (r) { emit('e', id, (r && r.errMsg) || ''); });
    task.onClose(function (r) { emit('x', id, r ? r.code : 0); });
    if (!protoDone) {
      protoDone = true;
      var proto = Object.getPrototypeOf(task), send = proto.send;
      proto.send = function send_(opts) {
        if (opts === null || typeof opts !== 'object') return send.apply(this, arguments);
        return send.call(this, withComplete(opts, sent));
      };
    }
  }
  function wrapConnect(api, promiseForm) {
    var connect = api.connectSocket;
    api.connectSocket = function connectSocket(opts) {
      if (opts === null || typeof opts !== 'object') return connect.apply(this, arguments);
      var id = ++seq, result, promise = promiseForm && !hasCallback(opts);
      emit('s', id);
      var task = connect.call(this, withComplete(opts, function (r) { result = r; }));
      emit(ok(result) ? 'i' : 'F', id, result ? result.errMsg : '');
      if (ok(result)) watch(task, id);
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

// jsEvents is a VU's console.log writer for one iteration: marked lines
// are events for the metrics, the others go to the output. It is written
// from the runtime's goroutine only.
type jsEvents struct {
	vu       *VU
	out      *lineWriter
	buf      []byte
	sessions map[int]*session
}

func (e *jsEvents) Write(p []byte) (int, error) {
	e.buf = append(e.buf, p...)
	for {
		i := bytes.IndexByte(e.buf, '\n')
		if i < 0 {
			break
		}
		line := e.buf[:i+1]
		if bytes.HasPrefix(line, []byte(marker)) {
			e.event(line[len(marker) : len(line)-1])
		} else {
			e.out.write(line)
		}
		e.buf = e.buf[i+1:]
	}
	if len(e.buf) == 0 {
		e.buf = nil
	}
	return len(p), nil
}

// abandon forgets the sockets whose close the script did not see (the
// iteration was interrupted), so the open-socket count stays true.
func (e *jsEvents) abandon() {
	for id, s := range e.sessions {
		if s.opened {
			s.opened = false
			e.vu.t.live.open.Add(-1)
		}
		delete(e.sessions, id)
	}
}

// flush writes a last line that had no newline.
func (e *jsEvents) flush() {
	if len(e.buf) > 0 {
		e.out.write(append(e.buf, '\n'))
		e.buf = nil
	}
}

func (e *jsEvents) event(b []byte) {
	var ev []any
	if json.Unmarshal(b, &ev) != nil || len(ev) == 0 {
		return
	}
	kind, _ := ev[0].(string)
	arg := func(i int) any {
		if i < len(ev) {
			return ev[i]
		}
		return nil
	}
	id := func() int { f, _ := arg(1).(float64); return int(f) }
	text := func(i int) string { s, _ := arg(i).(string); return s }
	number := func(i int) float64 { f, _ := arg(i).(float64); return f }
	vu := e.vu
	switch kind {
	case "t":
		vu.TrendMS(text(1), number(2))
	case "c":
		vu.Count(text(1), number(2))
	case "k":
		b, _ := arg(2).(bool)
		vu.Check(text(1), b)
	case "s":
		e.sessions[id()] = vu.newSession()
	case "i", "F":
		if s := e.sessions[id()]; s != nil {
			s.issued(text(2))
			if kind == "F" {
				delete(e.sessions, id())
			}
		}
	case "o":
		if s := e.sessions[id()]; s != nil {
			s.open()
		}
	case "m":
		if s := e.sessions[id()]; s != nil {
			s.received()
		}
	case "e":
		if s := e.sessions[id()]; s != nil {
			s.errorEvent(text(2))
		}
	case "x":
		if s := e.sessions[id()]; s != nil {
			s.close(int(number(2)))
			delete(e.sessions, id())
		}
	case "w":
		vu.rec.count(MetricMsgsSent, 1)
		vu.t.live.sent.Add(1)
	case "f":
		vu.failure(text(1))
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
