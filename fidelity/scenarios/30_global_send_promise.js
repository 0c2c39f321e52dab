// The Promise forms of the global send and close.
uni.connectSocket({ url: SERVER + '/s30' });
uni.sendSocketMessage({ data: 'early' }).then(
  function (res) { log('early resolved', res); },
  function (err) { log('early rejected', err); });
uni.onSocketOpen(function () {
  uni.sendSocketMessage({ data: 'hi' }).then(function (res) {
    log('send resolved', res);
    uni.closeSocket({ code: 4000, reason: 'promise' }).then(function (res) { log('close resolved', res); });
  });
});
uni.onSocketClose(function (res) { log('close', res); end(); });
