// A reason without a code.
var task = uni.connectSocket({ url: SERVER + '/s70', complete: function () {} });
task.onOpen(function () { task.close(withCbs('close', { reason: 'only a reason' })); });
task.onClose(function (res) { log('close', res); end(); });
