// A client close code and reason come back in the close event.
var task = uni.connectSocket({ url: SERVER + '/s32', complete: function () {} });
task.onOpen(function () { task.close(withCbs('close', { code: 4000, reason: 'bye' })); });
task.onClose(function (res) { log('close', res); end(); });
