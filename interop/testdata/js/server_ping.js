// Server ping: the server pings with a fresh payload; the runtime answers
// with a pong (there is nothing to do in JavaScript), and the server
// reports whether the pong carried the same payload.
var task = uni.connectSocket({url: '@BASE@/ping', complete: function () {}});
task.onOpen(function () { console.log('open'); });
task.onMessage(function (res) {
  console.log('message', res.data);
  task.close({});
});
task.onError(function (res) { console.log('error', res.errMsg); });
task.onClose(function (res) { console.log('close', res.code); });
