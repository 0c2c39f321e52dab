// The seed's onSocketOpen and onSocketMessage examples, with a server that
// sends two messages and then closes.
uni.connectSocket({
  url: SERVER + '/s72?send=2&close=4000&reason=sent'
});
uni.onSocketOpen(function (res) {
  console.log('WebSocket连接已打开!');
});
uni.onSocketMessage(function (res) {
  console.log('收到服务器内容:' + res.data);
});
uni.onSocketClose(function (res) { log('close', res); end(); });
