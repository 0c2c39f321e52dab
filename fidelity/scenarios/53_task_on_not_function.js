// task.onOpen with something that is not a function.
var task = uni.connectSocket({ url: SERVER + '/s53', complete: function () {} });
try {
  task.onOpen('x');
  log('onOpen("x") accepted');
} catch (e) {
  log('onOpen("x") threw', e);
}
task.onOpen(function () { log('open'); task.close(); });
task.onClose(function (res) { log('close', res); end(); });
