// 1001 is not a code a client may send; the socket stays open.
var task = uni.connectSocket({ url: SERVER + '/s34', complete: function () {} });
task.onOpen(function () {
  task.close(withCbs('close 1001', { code: 1001 }));
  log('readyState', task.readyState);
  task.close(withCbs('close 3000', { code: 3000 }));
});
task.onClose(function (res) { log('close', res); end(); });
