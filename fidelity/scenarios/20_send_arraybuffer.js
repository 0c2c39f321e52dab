// Binary both ways: an ArrayBuffer is echoed as an ArrayBuffer.
var task = uni.connectSocket({ url: SERVER + '/s20', complete: function () {} });
task.onOpen(function () {
  var b = new Uint8Array([0, 1, 127, 128, 255]).buffer;
  task.send({ data: b });
});
task.onMessage(function (res) {
  log('message', res, res.data instanceof ArrayBuffer);
  task.close();
});
task.onClose(function (res) { log('close', res); end(); });
