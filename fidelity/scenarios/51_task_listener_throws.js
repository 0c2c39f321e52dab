// A throwing task listener is reported; the next listeners still run.
uni.onSocketOpen(function () { log('global open'); });
var task = uni.connectSocket({ url: SERVER + '/s51', complete: function () {} });
task.onOpen(function () { throw new Error('boom in onOpen'); });
task.onOpen(function () { log('second open listener'); task.close(); });
task.onClose(function (res) { log('close', res); end(); });
