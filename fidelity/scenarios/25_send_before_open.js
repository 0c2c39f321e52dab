// task.send while the socket is still connecting.
var task = uni.connectSocket({ url: SERVER + '/s25', complete: function () {} });
task.send(withCbs('send', { data: 'too early' }));
log('send returned');
task.onOpen(function () { task.close(); });
task.onClose(function (res) { log('close', res); end(); });
