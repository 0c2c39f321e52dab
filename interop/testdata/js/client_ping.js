// Client ping: uni-app's SocketTask has send, close and the four on*
// listeners, and uni has no ping function either, so a script cannot ping.
// This checks that the runtime has none (a ping added later makes the row
// fail until it is tested), over a live socket.
var task = uni.connectSocket({url: '@BASE@/echo', complete: function () {}});
task.onOpen(function () {
  console.log('open');
  console.log('task.ping', typeof task.ping, 'uni ping functions', Object.keys(uni).filter(function (k) { return /ping/i.test(k); }).length);
  task.close({});
});
task.onError(function (res) { console.log('error', res.errMsg); });
task.onClose(function (res) { console.log('close', res.code); });
