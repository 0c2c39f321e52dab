// The seed's sendSocketMessage example: a queue flushed on open.
var socketOpen = false;
var socketMsgQueue = [];
uni.connectSocket({
  url: SERVER + '/s65'
});
uni.onSocketOpen(function (res) {
  socketOpen = true;
  for (var i = 0; i < socketMsgQueue.length; i++) {
    sendSocketMessage(socketMsgQueue[i]);
  }
  socketMsgQueue = [];
});
function sendSocketMessage(msg) {
  if (socketOpen) {
    uni.sendSocketMessage({
      data: msg
    });
  } else {
    socketMsgQueue.push(msg);
  }
}
sendSocketMessage('queued 1');
sendSocketMessage('queued 2');
var n = 0;
uni.onSocketMessage(function (res) {
  console.log('收到服务器内容:' + res.data);
  if (++n === 2) uni.closeSocket();
});
uni.onSocketClose(function (res) {
  console.log('WebSocket 已关闭!');
  end();
});
