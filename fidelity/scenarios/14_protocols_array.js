// protocols as an array; the server confirms the first.
var task = uni.connectSocket(withCbs('connectSocket', { url: SERVER + '/s14?inspect=1', protocols: ['chat', 'superchat'] }));
task.onOpen(function (res) { log('task open', res); });
task.onError(function (res) { log('task error', res); });
task.onClose(function (res) { log('task close', res); });
task.onMessage(function (res) {
  log('requested', JSON.parse(res.data).subprotocols);
  task.close();
});
task.onClose(function () { end(); });
