// code 0 is no code.
var task = uni.connectSocket({ url: SERVER + '/s33', complete: function () {} });
task.onOpen(function () { task.close(withCbs('close', { code: 0 })); });
task.onClose(function (res) { log('close', res); end(); });
