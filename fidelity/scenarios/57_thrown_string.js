// A listener that throws a string, not an Error.
var task = uni.connectSocket({ url: SERVER + '/s57', complete: function () {} });
task.onOpen(function () { throw 'plain string'; });
task.onOpen(function () { task.close(); });
task.onClose(function (res) { log('close', res); end(); });
