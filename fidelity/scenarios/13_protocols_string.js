// protocols as a string.
var task = uni.connectSocket(withCbs('connectSocket', { url: SERVER + '/s13?inspect=1', protocols: 'chat' }));
task.onOpen(function (res) { log('task open', res); });
task.onError(function (res) { log('task error', res); });
task.onClose(function (res) { log('task close', res); });
task.onMessage(function (res) {
  log('requested', JSON.parse(res.data).subprotocols);
  task.close();
});
task.onClose(function () { end(); });
