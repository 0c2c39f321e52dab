// task.close() without arguments closes with 1000.
var task = uni.connectSocket({ url: SERVER + '/s31', complete: function () {} });
task.onOpen(function () { task.close(); });
task.onClose(function (res) { log('close', res); end(); });
