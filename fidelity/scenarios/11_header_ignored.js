// header cannot be set by a browser: the server reports what arrived.
var task = uni.connectSocket(withCbs('connectSocket', {
  url: SERVER + '/s11?inspect=1',
  header: { 'X-Fidelity': 'yes', 'content-type': 'application/json' },
}));
task.onMessage(function (res) {
  var h = JSON.parse(res.data);
  log('X-Fidelity header', show(h.header['X-Fidelity']));
  task.close();
});
task.onClose(function (res) { log('close', res); end(); });
