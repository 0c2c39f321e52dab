// data that is a number.
var task = uni.connectSocket({ url: SERVER + '/s22', complete: function () {} });
task.onOpen(function () {
  task.send(withCbs('send', { data: 42 }));
  later(300, function () { task.close(); });
});
task.onMessage(function (res) { log('message', res); });
task.onClose(function (res) { log('close', res); end(); });
