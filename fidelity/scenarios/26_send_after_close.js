// task.send once the socket has closed.
var task = uni.connectSocket({ url: SERVER + '/s26', complete: function () {} });
task.onOpen(function () { task.close(); });
task.onClose(function (res) {
  log('close', res);
  task.send(withCbs('send', { data: 'too late' }));
  later(100, end);
});
