// data that is a plain object.
var task = uni.connectSocket({ url: SERVER + '/s23', complete: function () {} });
task.onOpen(function () {
  task.send(withCbs('send', { data: { a: 1 } }));
  later(300, function () { task.close(); });
});
task.onMessage(function (res) { log('message', res); });
task.onClose(function (res) { log('close', res); end(); });
