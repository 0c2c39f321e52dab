package js

import (
	"errors"
	"strings"
	"testing"
)

// A socket's life as JavaScript sees it: readyState changes when events
// arrive (and to CLOSING on close), listeners fire in registration order,
// task listeners before global ones, the server's close code and reason
// arrive in onClose.
func TestJSTaskLifecycle(t *testing.T) {
	e := newEnv(t)
	e.run(`
var sent = [];
var task = uni.connectSocket({url: '@URL@/?send=1', complete: function () {}});
console.log('created', task.readyState, task.CONNECTING, task.OPEN, task.CLOSING, task.CLOSED);
uni.onSocketOpen(function () { console.log('global open', task.readyState); });
task.onOpen(function (res) {
  console.log('open 1', task.readyState, typeof res.header, res.header.Upgrade);
  task.send({data: 'hello', success: function (r) { sent.push(r.errMsg); }});
});
task.onOpen(function () { console.log('open 2'); });
task.onMessage(function (res) {
  console.log('message', res.data);
  if (res.data === 'hello') {
    task.close({code: 4000, reason: 'done', success: function (r) { console.log(r.errMsg, task.readyState); }});
    console.log('after close()', task.readyState);
  }
});
uni.onSocketMessage(function (res) { console.log('global message', res.data); });
task.onClose(function (res) { console.log('close', res.code, res.reason, task.readyState, sent); });
uni.onSocketClose(function (res) { console.log('global close', res.code); });
`, runOpts{}).ok(t, lines(
		"created 0 0 1 2 3",
		"open 1 1 object websocket",
		"open 2",
		"global open 1",
		"message message 1",
		"global message message 1",
		"message hello",
		"after close() 2",
		"global message hello",
		"closeSocket:ok 2",
		"close 4000 done 3 [ 'sendSocketMessage:ok' ]",
		"global close 4000",
	))
}

// A failed handshake (standard profile, as a browser): error, then close
// 1006; the task leaves the registry at the error, so the global close
// listener does not hear of it.
func TestJSHandshakeFailure(t *testing.T) {
	e := newEnv(t)
	res := e.run(`
var task = uni.connectSocket({url: '@URL@/?status=403', complete: function () {}});
task.onError(function (res) { console.log('error', task.readyState, res.errMsg.indexOf('403') >= 0); });
task.onClose(function (res) { console.log('close', res.code, JSON.stringify(res.reason)); });
uni.onSocketError(function () { console.log('global error'); });
uni.onSocketClose(function () { console.log('global close'); });
`, runOpts{})
	res.ok(t, lines("error 3 true", "global error", `close 1006 ""`))
}

// Profiles shape payloads: h5 gives {} for open and error; app reports a
// failed handshake with an error alone, and the script still ends.
func TestJSProfilePayloads(t *testing.T) {
	e := newEnv(t)
	open := `
var ok = uni.connectSocket({url: '@URL@/', complete: function () {}});
ok.onOpen(function (res) { console.log('open', JSON.stringify(res)); ok.close(); });
`
	failed := `
var bad = uni.connectSocket({url: '@URL@/?status=500', complete: function () {}});
bad.onError(function (res) { console.log('error', JSON.stringify(res)); });
bad.onClose(function (res) { console.log('close', res.code); });
`
	e.run(open, runOpts{profile: "h5"}).ok(t, lines(`open {}`))
	e.run(failed, runOpts{profile: "h5"}).ok(t, lines(`error {}`, "close 1006"))
	e.run(open, runOpts{profile: "app"}).ok(t, lines(`open {}`))
	e.run(failed, runOpts{profile: "app"}).ok(t, lines(`error {}`))
}

// A send before the open event fails, even if the handshake completed
// meanwhile: JavaScript has not seen the socket open.
func TestJSSendBeforeOpenIsDeterministic(t *testing.T) {
	e := newEnv(t)
	e.run(`
var task = uni.connectSocket({url: '@URL@/', complete: function () {}});
var until = Date.now() + 50;
while (Date.now() < until) {} // let the handshake finish meanwhile
task.send({data: 'x', fail: function (r) { console.log(r.errMsg); }});
uni.sendSocketMessage({data: 'x'}).catch(function (r) { console.log('global:', r.errMsg); });
console.log('readyState', task.readyState);
task.onOpen(function () { task.close(); });
`, runOpts{}).ok(t, lines(
		"readyState 0",
		"sendSocketMessage:fail SocketTask.readyState is not OPEN",
		"global: sendSocketMessage:fail WebSocket is not connected",
	))
}

// Binary data is ArrayBuffer both ways; typed arrays and DataViews send the
// bytes they view.
func TestJSArrayBufferRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.run(`
var buf = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]).buffer;
var sends = [
  ['ArrayBuffer', buf],
  ['Uint8Array view', new Uint8Array(buf, 2, 3)],
  ['Int16Array', new Int16Array([-2, 258])],
  ['DataView', new DataView(buf, 6)],
  ['empty ArrayBuffer', new ArrayBuffer(0)],
];
var task = uni.connectSocket({url: '@URL@/', complete: function () {}});
var i = 0;
task.onOpen(function () { sends.forEach(function (s) { task.send({data: s[1]}); }); });
task.onMessage(function (res) {
  var bytes = Array.prototype.slice.call(new Uint8Array(res.data));
  console.log(sends[i][0], Object.prototype.toString.call(res.data), JSON.stringify(bytes));
  if (++i === sends.length) task.close();
});
console.log(uni.arrayBufferToBase64(new Uint8Array([104, 105, 255]).buffer), uni.arrayBufferToBase64(new Uint8Array([1, 104, 105]).subarray(1)));
console.log(JSON.stringify(Array.prototype.slice.call(new Uint8Array(uni.base64ToArrayBuffer('aGn/')))),
  JSON.stringify(Array.prototype.slice.call(new Uint8Array(wx.base64ToArrayBuffer('aG k')))));
`, runOpts{}).ok(t, lines(
		"aGn/ aGk=",
		"[104,105,255] [104,105]",
		"ArrayBuffer [object ArrayBuffer] [0,1,2,3,4,5,6,7]",
		"Uint8Array view [object ArrayBuffer] [2,3,4]",
		"Int16Array [object ArrayBuffer] [254,255,2,1]",
		"DataView [object ArrayBuffer] [6,7]",
		"empty ArrayBuffer [object ArrayBuffer] []",
	))
}

// The server's binary messages arrive as ArrayBuffers, text as strings.
func TestJSBinaryFromServer(t *testing.T) {
	e := newEnv(t)
	e.run(`
var task = uni.connectSocket({url: '@URL@/?send=2&binary=1&close=1000&after=0', complete: function () {}});
task.onMessage(function (res) {
  console.log(res.data instanceof ArrayBuffer, String.fromCharCode.apply(null, new Uint8Array(res.data)));
});
`, runOpts{}).ok(t, lines("true message 1", "true message 2"))
}

// A listener that throws is reported as uni-app H5 reports it; the next
// listeners and the loop go on; Run then says errors were reported.
func TestJSThrowingCallback(t *testing.T) {
	e := newEnv(t)
	res := e.run(`
var task = uni.connectSocket({url: '@URL@/', success: function () { throw new TypeError('in success'); }});
task.onOpen(function () { throw new Error('boom'); });
task.onOpen(function () { console.log('second listener runs'); });
uni.onSocketOpen(function () { null.x; });
task.onOpen(function () {
  setTimeout(function () { throw 'from a timer'; }, 1);
  setTimeout(function () { task.close(); }, 2);
});
task.onClose(function () { console.log('closed, loop went on'); });
`, runOpts{})
	if res.stdout != lines("second listener runs", "closed, loop went on") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
	}
	var re *ReportedError
	if !errors.As(res.err, &re) || re.Count != 4 {
		t.Fatalf("Run: %v, want 4 reported errors", res.err)
	}
	for _, want := range []string{
		// success: console.error(e), as uni-app's tryCatch.
		"TypeError: in success\n    at success (main.js:2:",
		// a task listener: uni-app H5's format, then the error.
		"thirdScriptError\nError: boom;at socketTask.onOpen callback function\n Error: boom\n    at main.js:3:",
		"thirdScriptError\nTypeError: Cannot read property 'x' of undefined;at uni.onSocketOpen callback function\n TypeError",
		// a thrown string prints bare, as Chromium's console prints it.
		"Uncaught from a timer\n    at main.js:7:",
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
}
