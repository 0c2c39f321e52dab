// send's callbacks against the code after the call. The echo is not
// logged: when it arrives against the callbacks is timing.
var task = uni.connectSocket({ url: SERVER + '/s19', complete: function () {} });
task.onOpen(function (res) { log('task open', res); });
task.onClose(function (res) { log('task close', res); });
task.onOpen(function () {
  task.send(withCbs('send', { data: 'hello' }));
  log('send returned');
});
task.onMessage(function () { task.close(); });
task.onClose(function () { end(); });
