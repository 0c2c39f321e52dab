// An empty text message is still a message.
var task = uni.connectSocket({ url: SERVER + '/s24', complete: function () {} });
task.onOpen(function () { task.send({ data: '' }); });
task.onMessage(function (res) { log('message', res); task.close(); });
task.onClose(function (res) { log('close', res); end(); });
