// The seed's onSocketError example, against a refused handshake.
uni.connectSocket({
  url: SERVER + '/s64?status=403'
});
uni.onSocketOpen(function (res) {
  console.log('WebSocket连接已打开!');
});
uni.onSocketError(function (res) {
  console.log('WebSocket连接打开失败,请检查!');
  later(200, end);
});
