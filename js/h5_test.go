package js

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/unisocket/unisocket/platform"
)

// On h5 the results of send and close, and the global API's, run before
// the call returns, as uni-h5 runs them; on standard they run later, and a
// send's result still comes before the echo of its message.
func TestJSResultTiming(t *testing.T) {
	const src = `
var task = uni.connectSocket({url: '@URL@/', complete: function () {}});
uni.sendSocketMessage({data: 'x', fail: function (r) { console.log('global send', r.errMsg); }});
console.log('global send returned');
task.onOpen(function () {
  task.send({data: 'x', success: function (r) { console.log('send', r.errMsg); }});
  console.log('send returned');
});
task.onMessage(function () {
  task.close({success: function (r) { console.log('close', r.errMsg, task.readyState); }});
  console.log('close returned');
});
`
	e := newEnv(t)
	e.run(src, runOpts{profile: "h5"}).ok(t, lines(
		"global send sendSocketMessage:fail WebSocket is not connected",
		"global send returned",
		"send sendSocketMessage:ok",
		"send returned",
		"close closeSocket:ok 2",
		"close returned",
	))
	// On standard a result is queued when the call is decided, so it may
	// land after an event the network produced meanwhile (the handshake
	// can finish before the script's first turn ends): only each call's
	// own order is fixed — the call returns, then its result runs.
	res := e.run(src, runOpts{})
	if res.err != nil || res.stderr != "" {
		t.Fatalf("Run: %v\nstdout:\n%s\nstderr:\n%s", res.err, res.stdout, res.stderr)
	}
	got := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	at := map[string]int{}
	for i, l := range got {
		at[l] = i + 1
	}
	for _, pair := range [][2]string{
		{"global send returned", "global send sendSocketMessage:fail WebSocket is not connected"},
		{"send returned", "send sendSocketMessage:ok"},
		{"close returned", "close closeSocket:ok 2"},
	} {
		if at[pair[0]] == 0 || at[pair[1]] == 0 || at[pair[0]] > at[pair[1]] {
			t.Fatalf("standard: want %q, then %q; stdout:\n%s", pair[0], pair[1], res.stdout)
		}
	}
	if len(got) != 6 {
		t.Fatalf("standard: %d lines, want 6:\n%s", len(got), res.stdout)
	}
}

// On h5, wx is uni (an H5 build registers window.wx = uni), so
// wx.connectSocket without callbacks returns a Promise; elsewhere wx is its
// own object and returns the task.
func TestJSWXIsUni(t *testing.T) {
	const src = `
var r = wx.connectSocket({url: '@URL@/'});
console.log(wx === uni, r instanceof Promise);
if (r instanceof Promise) { r.then(function (v) { console.log(v.errMsg); uni.closeSocket(); }); } else { r.onOpen(function () { r.close(); }); }
`
	e := newEnv(t)
	e.run(src, runOpts{profile: "h5"}).ok(t, lines("true true", "connectSocket:ok"))
	e.run(src, runOpts{profile: "standard"}).ok(t, lines("false false"))
}

// On h5 task.onOpen('x') is accepted, and reported as uni-h5 reports a
// listener that fails, when the event fires; standard throws at once.
func TestJSTaskListenerNotFunction(t *testing.T) {
	const src = `
var task = uni.connectSocket({url: '@URL@/', complete: function () {}});
try { task.onOpen('x'); console.log('accepted'); } catch (e) { console.log('threw', e.message); }
task.onOpen(function () { console.log('open'); task.close(); });
`
	e := newEnv(t)
	res := e.run(src, runOpts{profile: "h5"})
	if res.stdout != lines("accepted", "open") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
	}
	var re *ReportedError
	if !errors.As(res.err, &re) || re.Count != 1 {
		t.Fatalf("Run: %v, want 1 reported error", res.err)
	}
	if want := "thirdScriptError\nTypeError: callback is not a function;at socketTask.onOpen callback function\n TypeError: callback is not a function"; !strings.Contains(res.stderr, want) {
		t.Fatalf("stderr lacks %q:\n%s", want, res.stderr)
	}
	e.run(src, runOpts{}).ok(t, lines(`threw Invalid args: type check failed for args "callback". Expected Function`, "open"))
}

// On h5 task.send's fail carries uni-h5's errCode 10002 (once: design 5);
// the global API's fail has none, as uni-app deletes it there.
func TestJSSendErrCode(t *testing.T) {
	const src = `
var task = uni.connectSocket({url: '@URL@/', complete: function () {}});
task.send({data: 'x', fail: function (r) { console.log(JSON.stringify(r)); }});
uni.sendSocketMessage({data: 'x'}).catch(function (r) { console.log(JSON.stringify(r)); });
task.onOpen(function () { task.close(); });
`
	e := newEnv(t)
	e.run(src, runOpts{profile: "h5"}).ok(t, lines(
		`{"errMsg":"sendSocketMessage:fail SocketTask.readyState is not OPEN","errCode":10002}`,
		`{"errMsg":"sendSocketMessage:fail WebSocket is not connected"}`,
	))
	e.run(src, runOpts{}).ok(t, lines(
		`{"errMsg":"sendSocketMessage:fail SocketTask.readyState is not OPEN"}`,
		`{"errMsg":"sendSocketMessage:fail WebSocket is not connected"}`,
	))
}

// A listener that throws a string: uni-h5's report prints it bare.
func TestJSThrownStringBare(t *testing.T) {
	e := newEnv(t)
	res := e.run(`
var task = uni.connectSocket({url: '@URL@/', complete: function () {}});
task.onOpen(function () { throw 'plain string'; });
task.onOpen(function () { task.close(); });
`, runOpts{profile: "h5"})
	if want := "thirdScriptError\nplain string;at socketTask.onOpen callback function\n plain string\n"; !strings.Contains(res.stderr, want) {
		t.Fatalf("stderr lacks %q:\n%s", want, res.stderr)
	}
}

// TestJSProfileRules checks, on every profile, the cells of the rules only
// the JavaScript runtime applies (package uni's TestPlatformProfiles
// checks the rest).
func TestJSProfileRules(t *testing.T) {
	e := newEnv(t)
	for _, p := range platform.All() {
		t.Run(p.Name, func(t *testing.T) {
			res := e.run(`
console.log(wx === uni);
var task = uni.connectSocket({url: '@URL@/', complete: function () {}});
try { task.onClose(42); console.log('accepted'); } catch (e) { console.log('threw'); }
task.close();
`, runOpts{profile: p.Name, name: "rules.js"})
			want := lines(fmt.Sprint(p.WXIsUni), "threw")
			if p.TaskListenerCheck == platform.CheckWhenFired {
				want = lines(fmt.Sprint(p.WXIsUni), "accepted")
			}
			if res.stdout != want {
				t.Fatalf("stdout:\n%s\nwant:\n%s\nstderr:\n%s", res.stdout, want, res.stderr)
			}
		})
	}
}
