// A failed handshake removes the socket at its error: the global close
// listener is not called for it, the task's is.
uni.onSocketError(function (res) { log('global error', res); });
uni.onSocketClose(function (res) { log('global close', res); });
var task = uni.connectSocket({ url: SERVER + '/s67?status=500', complete: function () {} });
task.onError(function (res) { log('task error', res); });
task.onClose(function (res) {
  log('task close', res);
  uni.closeSocket(withCbs('closeSocket after', {}));
  later(100, end);
});
