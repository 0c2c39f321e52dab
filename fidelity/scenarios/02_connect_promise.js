// No callback: connectSocket returns a Promise of {errMsg}; the task is
// reached through the global API only.
listenGlobal();
var p = uni.connectSocket({ url: SERVER + '/s02' });
log('returned', p);
p.then(function (res) { log('resolved', res); }, function (err) { log('rejected', err); });
uni.onSocketOpen(function () {
  uni.closeSocket().then(function (res) { log('closeSocket resolved', res); });
});
uni.onSocketClose(function () { end(); });
