// The global send's callbacks while open and after close.
uni.connectSocket({ url: SERVER + '/s61' });
uni.onSocketOpen(function () {
  uni.sendSocketMessage({
    data: 'one',
    success: function (res) { log('send open success', res); },
    fail: function (res) { log('send open fail', res); },
    complete: function (res) { log('send open complete', res); uni.closeSocket(); },
  });
});
uni.onSocketClose(function (res) {
  log('close', res);
  uni.sendSocketMessage(withCbs('send closed', { data: 'two' }));
  later(100, end);
});
