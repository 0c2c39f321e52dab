// observe.js watches a seed example without changing it.
//
// The seed examples are copied verbatim from the uni-app documentation, and
// most of them never close their socket: run as they are, they end only when
// `unisocket run --timeout-ms` stops them. Loaded first (observed/*.js do
// that), this module logs every event of the example's socket through the
// global listeners (each example opens one socket, the one the global API
// targets), sends one probe message once the socket is open, and closes the
// socket when the server echoes the probe. So the run ends by itself, with
// exit status 0, and its log shows the socket's whole life.
uni.onSocketOpen(function (res) {
  var protocol = res.header && res.header['Sec-Websocket-Protocol'];
  console.log('[observe] open' + (protocol ? ' (subprotocol ' + protocol + ')' : ''));
  // On a later turn, after the example's own open listener: an example
  // that closes the socket there (07) is left alone. Whether the probe is
  // sent is not logged, since its result may come before or after the echo.
  setTimeout(function () {
    uni.sendSocketMessage({ data: 'probe', fail: function () {} });
  }, 0);
});

uni.onSocketMessage(function (res) {
  console.log('[observe] message: ' + res.data);
  if (res.data === 'probe') {
    uni.closeSocket({ reason: 'observed' });
  }
});

uni.onSocketError(function (res) {
  console.log('[observe] error: ' + res.errMsg);
});

uni.onSocketClose(function (res) {
  console.log('[observe] close: code ' + res.code + (res.reason ? ', reason ' + res.reason : ''));
});
