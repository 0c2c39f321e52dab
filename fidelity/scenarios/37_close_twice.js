// Closing a closing socket.
var task = uni.connectSocket({ url: SERVER + '/s37', complete: function () {} });
task.onOpen(function () {
  task.close(withCbs('first', { code: 4001 }));
  task.close(withCbs('second', { code: 4002 }));
});
task.onClose(function (res) { log('close', res); end(); });
