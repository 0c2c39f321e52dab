// Text outside ASCII, both ways, and as a close reason.
var text = '中文 ✓ 😀';
var task = uni.connectSocket({ url: SERVER + '/s59', complete: function () {} });
task.onOpen(function () { task.send({ data: text }); });
task.onMessage(function (res) { log('echo', res, res.data === text); task.close({ code: 4000, reason: '再见' }); });
task.onClose(function (res) { log('close', res); end(); });
