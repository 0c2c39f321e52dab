// A DataView over part of a buffer.
var task = uni.connectSocket({ url: SERVER + '/s68', complete: function () {} });
task.onOpen(function () {
  var buf = new Uint8Array([1, 2, 3, 4, 5]).buffer;
  task.send({ data: new DataView(buf, 2, 2) });
});
task.onMessage(function (res) { log('message', res); task.close(); });
task.onClose(function (res) { log('close', res); end(); });
