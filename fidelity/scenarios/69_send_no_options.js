// task.send() with no options at all.
var task = uni.connectSocket({ url: SERVER + '/s69', complete: function () {} });
task.onOpen(function () {
  try {
    task.send();
    log('send() returned');
  } catch (e) {
    log('send() threw', e);
  }
  later(300, function () { task.close(); });
});
task.onMessage(function (res) { log('message', res); });
task.onClose(function (res) { log('close', res); end(); });
