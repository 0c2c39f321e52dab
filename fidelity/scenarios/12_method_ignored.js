// method: the handshake is a GET in a browser.
var task = uni.connectSocket(withCbs('connectSocket', { url: SERVER + '/s12?inspect=1', method: 'POST' }));
task.onMessage(function (res) {
  log('method', JSON.parse(res.data).method);
  task.close();
});
task.onClose(function (res) { log('close', res); end(); });
