// Subprotocol refused: the server confirms none of [x-none], so the
// connection fails: an error naming the subprotocol, then close 1006, and
// the task is CLOSED.
var task = uni.connectSocket({url: '@BASE@/subprotocol', protocols: ['x-none'], complete: function () {}});
task.onOpen(function () { console.log('open'); });
task.onMessage(function (res) { console.log('message', res.data); });
task.onError(function (res) {
  console.log('error', res.errMsg.indexOf('subprotocol') >= 0, res.errMsg.indexOf('x-none') >= 0);
});
task.onClose(function (res) { console.log('close', res.code, JSON.stringify(res.reason), task.readyState === task.CLOSED); });
