package js

import (
	"errors"
	"strings"
	"testing"
)

// The Promise-or-task rule (docs/behaviour.md §2.2): connectSocket returns the
// task when any of success, fail, complete is a function, else a Promise;
// values that are not functions do not count. wx.connectSocket always
// returns the task.
func TestJSPromiseOrTask(t *testing.T) {
	e := newEnv(t)
	res := e.run(`
function kind(v) {
  if (v instanceof Promise) return 'Promise';
  return v === undefined ? 'undefined' : v.constructor.name;
}
var cases = [
  ['success alone', {success: function () {}}],
  ['fail alone', {fail: function () {}}],
  ['complete alone', {complete: function () {}}],
  ['no callback', {}],
  ['success: 1', {success: 1}],
  ['fail: "x"', {fail: 'x'}],
  ['complete: null', {complete: null}],
  ['no function at all', {success: true, fail: {}, complete: []}],
];
cases.forEach(function (c) {
  c[1].url = '@URL@/?close=1000';
  var u = uni.connectSocket(c[1]);
  var w = wx.connectSocket(c[1]);
  console.log(c[0] + ': uni ' + kind(u) + ', wx ' + kind(w));
  if (u instanceof Promise) u.then(function (r) { console.log('  ' + c[0] + ' resolved ' + JSON.stringify(r)); });
});
var p = uni.connectSocket({url: 'ftp://x'});
p.catch(function (r) { console.log('invalid url rejected: ' + r.errMsg); });
console.log('sendSocketMessage: ' + kind(uni.sendSocketMessage({data: 'x', success: 1})) +
  ', with fail: ' + kind(uni.sendSocketMessage({data: 'x', fail: function () {}})));
console.log('closeSocket: ' + kind(uni.closeSocket()) + ', with complete: ' + kind(uni.closeSocket({complete: function () {}})));
console.log('wx.sendSocketMessage: ' + kind(wx.sendSocketMessage({data: 'x'}).catch(function () {})));
console.log('onSocketOpen: ' + kind(uni.onSocketOpen(function () {})));
`, runOpts{})
	want := lines(
		"success alone: uni SocketTask, wx SocketTask",
		"fail alone: uni SocketTask, wx SocketTask",
		"complete alone: uni SocketTask, wx SocketTask",
		"no callback: uni Promise, wx SocketTask",
		"success: 1: uni Promise, wx SocketTask",
		`fail: "x": uni Promise, wx SocketTask`,
		"complete: null: uni Promise, wx SocketTask",
		"no function at all: uni Promise, wx SocketTask",
		"sendSocketMessage: Promise, with fail: undefined",
		"closeSocket: Promise, with complete: undefined",
		"wx.sendSocketMessage: Promise",
		"onSocketOpen: undefined",
		`  no callback resolved {"errMsg":"connectSocket:ok"}`,
		`  success: 1 resolved {"errMsg":"connectSocket:ok"}`,
		`  fail: "x" resolved {"errMsg":"connectSocket:ok"}`,
		`  complete: null resolved {"errMsg":"connectSocket:ok"}`,
		`  no function at all resolved {"errMsg":"connectSocket:ok"}`,
		`invalid url rejected: connectSocket:fail invalid url "ftp://x": the scheme must be ws or wss, not "ftp"`,
	)
	// The rejected sendSocketMessage Promise nobody handled (the first
	// socket is not open yet) is reported, as a browser reports it.
	if res.stdout != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s\nstderr:\n%s", res.stdout, want, res.stderr)
	}
	var re *ReportedError
	if !errors.As(res.err, &re) || re.Count != 1 {
		t.Fatalf("Run: %v, want 1 reported error; stderr:\n%s", res.err, res.stderr)
	}
	if want := "Uncaught (in promise) { errMsg: 'sendSocketMessage:fail WebSocket is not connected' }\n"; res.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, want)
	}
}

// success/fail run before connectSocket returns, then complete, with one
// result object; the Promise form settles at once.
func TestJSConnectCallbacksOrder(t *testing.T) {
	e := newEnv(t)
	e.run(`
var log = [];
var task = uni.connectSocket({
  url: '@URL@/?close=4001&reason=bye',
  success: function (r) { log.push('success ' + r.errMsg + ' this=' + (this === arguments.callee)); r.mark = 1; },
  fail: function () { log.push('fail'); },
  complete: function (r) { log.push('complete ' + r.errMsg + ' same=' + (r.mark === 1)); },
});
log.push('returned readyState=' + task.readyState);
console.log(log.join('\n'));
uni.connectSocket({url: 'nope', fail: function (r) { console.log('fail ' + r.errMsg); }, complete: function () { console.log('complete after fail'); }});
task.onClose(function (r) { console.log('close', r); });
`, runOpts{}).ok(t, lines(
		"success connectSocket:ok this=true",
		"complete connectSocket:ok same=true",
		"returned readyState=0",
		`fail connectSocket:fail invalid url "nope": the scheme must be ws or wss, not ""`,
		"complete after fail",
		"close { code: 4001, reason: 'bye' }",
	))
}

// Wrongly typed arguments fail with uni-app's validator messages; on*
// with a non-function throws.
func TestJSArgumentTypes(t *testing.T) {
	e := newEnv(t)
	e.run(`
function tryIt(name, fn) {
  try { fn(); console.log(name + ': no error'); } catch (e) { console.log(name + ': ' + e.constructor.name + ': ' + e.message); }
}
function fail(name) { return function (r) { console.log(name + ': ' + r.errMsg); }; }
tryIt('uni.onSocketOpen(1)', function () { uni.onSocketOpen(1); });
tryIt('wx.onSocketMessage()', function () { wx.onSocketMessage(); });
var t = uni.connectSocket({url: 123, fail: fail('url 123')});
console.log('task after a failed connect: readyState ' + t.readyState);
tryIt('task.onOpen("x")', function () { t.onOpen('x'); });
uni.connectSocket({url: true, fail: fail('url true')});
uni.connectSocket({url: {}, fail: fail('url {}')});
uni.connectSocket({fail: fail('no url')});
uni.connectSocket({url: null, fail: fail('url null')});
uni.connectSocket('@URL@').catch(fail('a string for options'));
t.send({data: 1, fail: fail('data 1')});
t.send({data: {}, fail: fail('data {}')});
t.send({data: 'x', fail: fail('send on the failed task')});
t.close({code: '3000', fail: fail('code "3000"')});
t.close({reason: 5, fail: fail('reason 5')});
t.close({success: fail('close on the failed task')});
uni.sendSocketMessage({data: [1], fail: fail('global data [1]')});
uni.closeSocket({code: true, fail: fail('global code true')});
tryIt('task.send.call({})', function () { t.send.call({}, {data: 'x'}); });
`, runOpts{}).ok(t, lines(
		`uni.onSocketOpen(1): Error: Invalid args: type check failed for args "callback". Expected Function`,
		`wx.onSocketMessage(): Error: Invalid args: type check failed for args "callback". Expected Function`,
		"url 123: connectSocket:fail parameter `url`. Expected String with value \"123\", got Number with value 123.",
		"task after a failed connect: readyState 3",
		`task.onOpen("x"): Error: Invalid args: type check failed for args "callback". Expected Function`,
		"url true: connectSocket:fail parameter `url`. Expected String, got Boolean with value true.",
		"url {}: connectSocket:fail parameter `url`. Expected String with value \"[object Object]\", got Object ",
		"no url: connectSocket:fail Missing required parameter `url`",
		"url null: connectSocket:fail Missing required parameter `url`",
		"task.send.call({}): TypeError: Illegal invocation: not a SocketTask",
		"a string for options: connectSocket:fail Missing required parameter `url`",
		"data 1: sendSocketMessage:fail parameter `data`. Expected String, ArrayBuffer, got Number with value 1.",
		"data {}: sendSocketMessage:fail parameter `data`. Expected String, ArrayBuffer, got Object ",
		"send on the failed task: sendSocketMessage:fail SocketTask.readyState is not OPEN",
		"code \"3000\": closeSocket:fail parameter `code`. Expected Number with value 3000, got String with value \"3000\".",
		"reason 5: closeSocket:fail parameter `reason`. Expected String with value \"5\", got Number with value 5.",
		"close on the failed task: closeSocket:ok",
		"global data [1]: sendSocketMessage:fail parameter `data`. Expected String, ArrayBuffer, got Array ",
		"global code true: closeSocket:fail parameter `code`. Expected Number, got Boolean with value true.",
	))
}

// errMsgCases are calls whose errMsg must be the same from JavaScript and
// from Go.
var errMsgCases = []string{
	"global send, no socket",
	"closeSocket, no socket",
	`connect "http://x"`,
	`connect "ws://"`,
	`connect "x"`,
	`connect ""`,
	"send before open",
	"global send, target connecting",
	"send without data",
	"close 1001",
	"close 2999",
	"close 5000",
	"close 1005",
	"reason 124 bytes",
	"reason 126 bytes (42 CJK)",
	"reason 123 bytes",
	"send after close",
}

// The error table reaches JavaScript as package uni words it.
func TestJSErrMsgs(t *testing.T) {
	e := newEnv(t)
	res := e.run(`
function rec(name) { return function (r) { console.log(name + ' => ' + r.errMsg); }; }
uni.sendSocketMessage({data: 'x', complete: rec('global send, no socket')});
uni.closeSocket({complete: rec('closeSocket, no socket')});
['http://x', 'ws://', 'x', ''].forEach(function (u) {
  uni.connectSocket({url: u, complete: rec('connect ' + JSON.stringify(u))});
});
var hang = uni.connectSocket({url: '@URL@/?hang=1', complete: function () {}});
hang.send({data: 'x', complete: rec('send before open')});
uni.sendSocketMessage({data: 'x', complete: rec('global send, target connecting')});
hang.send({complete: rec('send without data')});
var t = uni.connectSocket({url: '@URL@/', complete: function () {}});
t.onOpen(function () {
  hang.close();
  [1001, 2999, 5000, 1005].forEach(function (c) { t.close({code: c, complete: rec('close ' + c)}); });
  t.close({reason: 'x'.repeat(124), complete: rec('reason 124 bytes')});
  t.close({reason: '好'.repeat(42), complete: rec('reason 126 bytes (42 CJK)')});
  t.close({reason: 'x'.repeat(123), complete: rec('reason 123 bytes')});
});
t.onClose(function () { t.send({data: 'x', complete: rec('send after close')}); });
`, runOpts{})
	if res.err != nil {
		t.Fatalf("Run: %v\n%s", res.err, res.stderr)
	}
	js := parseResults(t, res.stdout)
	for _, name := range errMsgCases {
		if _, ok := js[name]; !ok {
			t.Errorf("%s: no result", name)
		}
	}
	if len(js) != len(errMsgCases) {
		t.Errorf("got %d results, want %d: %v", len(js), len(errMsgCases), js)
	}
	// A few pinned word for word (docs/behaviour.md §4.2, §4.3, §5.3, §5.4).
	for name, want := range map[string]string{
		"global send, no socket":         "sendSocketMessage:fail WebSocket is not connected",
		"closeSocket, no socket":         "closeSocket:fail WebSocket is not connected",
		"send before open":               "sendSocketMessage:fail SocketTask.readyState is not OPEN",
		"global send, target connecting": "sendSocketMessage:fail WebSocket is not connected",
		"close 1001":                     "closeSocket:fail InvalidAccessError: Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. 1001 is neither.",
		"reason 124 bytes":               "closeSocket:fail SyntaxError: Failed to execute 'close' on 'WebSocket': The close reason must not be greater than 123 UTF-8 bytes.",
		"reason 123 bytes":               "closeSocket:ok",
		`connect ""`:                     "connectSocket:fail Missing required parameter `url`",
		"send without data":              "sendSocketMessage:fail data must be a string or []byte, got nothing (data is required)",
		"send after close":               "sendSocketMessage:fail SocketTask.readyState is not OPEN",
		"close 1005":                     "closeSocket:fail InvalidAccessError: Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. 1005 is neither.",
		"reason 126 bytes (42 CJK)":      "closeSocket:fail SyntaxError: Failed to execute 'close' on 'WebSocket': The close reason must not be greater than 123 UTF-8 bytes.",
	} {
		if js[name] != want {
			t.Errorf("%s: %q, want %q", name, js[name], want)
		}
	}
}

func parseResults(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, ln := range strings.Split(strings.TrimSpace(out), "\n") {
		name, msg, ok := strings.Cut(ln, " => ")
		if !ok {
			t.Fatalf("unexpected line %q", ln)
		}
		m[name] = msg
	}
	return m
}
