// Subprotocol selected: of [x-none, chat.v1] the server picks chat.v1, the
// open event's header confirms it, and the server says so.
var task = uni.connectSocket({url: '@BASE@/subprotocol', protocols: ['x-none', 'chat.v1'], complete: function () {}});
task.onOpen(function (res) { console.log('open', res.header['Sec-Websocket-Protocol']); });
task.onMessage(function (res) {
  console.log('message', res.data);
  task.close({});
});
task.onError(function (res) { console.log('error', res.errMsg); });
task.onClose(function (res) { console.log('close', res.code); });
