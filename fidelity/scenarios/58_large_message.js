// A 64 KiB text message and its echo.
var big = new Array(65537).join('x');
var task = uni.connectSocket({ url: SERVER + '/s58', complete: function () {} });
task.onOpen(function () { task.send({ data: big }); });
task.onMessage(function (res) { log('echo length', res.data.length, res.data === big); task.close(); });
task.onClose(function (res) { log('close', res); end(); });
