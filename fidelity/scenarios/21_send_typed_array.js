// A typed array view: only the viewed bytes.
var task = uni.connectSocket({ url: SERVER + '/s21', complete: function () {} });
task.onOpen(function () {
  var all = new Uint8Array([9, 8, 7, 6, 5, 4]);
  task.send({ data: all.subarray(1, 4) });
});
task.onMessage(function (res) { log('message', res); task.close(); });
task.onClose(function (res) { log('close', res); end(); });
