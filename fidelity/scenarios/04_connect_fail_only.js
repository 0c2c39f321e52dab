// fail alone also returns the task; success never runs for a good URL.
var task = uni.connectSocket({
  url: SERVER + '/s04',
  fail: function (res) { log('fail', res); },
});
log('returned', typeof task);
task.onOpen(function () { log('open'); task.close(); });
task.onClose(function (res) { log('close', res); end(); });
