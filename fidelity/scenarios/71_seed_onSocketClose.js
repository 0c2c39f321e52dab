// The seed's onSocketClose example: closeSocket inside onSocketOpen.
uni.connectSocket({
  url: SERVER + '/s71'
});
uni.onSocketOpen(function () {
  uni.closeSocket();
});
uni.onSocketClose(function (res) {
  console.log('WebSocket 已关闭!');
  log('close', res);
  end();
});
