// Server close 4001: the server closes at once with 4001 "bye"; onClose
// gets both, and there is no error event.
var task = uni.connectSocket({url: '@BASE@/close?code=4001&reason=bye', complete: function () {}});
task.onOpen(function () { console.log('open'); });
task.onMessage(function (res) { console.log('message', res.data); });
task.onError(function (res) { console.log('error', res.errMsg); });
task.onClose(function (res) { console.log('close', res.code, JSON.stringify(res.reason)); });
