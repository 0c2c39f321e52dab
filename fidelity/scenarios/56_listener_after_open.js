// A listener added after open is not called for it.
var task = uni.connectSocket({ url: SERVER + '/s56', complete: function () {} });
task.onOpen(function () {
  log('open');
  task.onOpen(function () { log('late open listener'); });
  later(100, function () { task.close(); });
});
task.onClose(function (res) { log('close', res); end(); });
