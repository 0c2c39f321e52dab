// 5000 is past the last valid code.
var task = uni.connectSocket({ url: SERVER + '/s35', complete: function () {} });
task.onOpen(function () {
  task.close(withCbs('close 5000', { code: 5000 }));
  task.close({ code: 1000 });
});
task.onClose(function (res) { log('close', res); end(); });
