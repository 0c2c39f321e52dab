// Handshake 403: the server refuses the upgrade; the connection fails with
// an error naming the status, then close 1006.
var task = uni.connectSocket({url: '@BASE@/reject', complete: function () {}});
task.onOpen(function () { console.log('open'); });
task.onError(function (res) { console.log('error', res.errMsg.indexOf('403') >= 0); });
task.onClose(function (res) { console.log('close', res.code, JSON.stringify(res.reason)); });
