// send's callbacks against the code after the call. The echo is not
// logged, and the socket closes from complete: when the echo arrives
// against the callbacks is timing.
var task = uni.connectSocket({ url: SERVER + '/s19', complete: function () {} });
task.onOpen(function (res) { log('task open', res); });
task.onClose(function (res) { log('task close', res); });
task.onOpen(function () {
  task.send({
    data: 'hello',
    success: function (res) { log('send success', res); },
    fail: function (res) { log('send fail', res); },
    complete: function (res) { log('send complete', res); task.close(); },
  });
  log('send returned');
});
task.onClose(function () { end(); });
