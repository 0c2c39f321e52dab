// The global send's callbacks while open and after close.
uni.connectSocket({ url: SERVER + '/s61' });
uni.onSocketOpen(function () { uni.sendSocketMessage(withCbs('send open', { data: 'one' })); });
uni.onSocketMessage(function () { uni.closeSocket(); });
uni.onSocketClose(function (res) {
  log('close', res);
  uni.sendSocketMessage(withCbs('send closed', { data: 'two' }));
  later(100, end);
});
