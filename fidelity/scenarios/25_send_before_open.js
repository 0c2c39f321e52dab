// task.send while the socket is still connecting (held 200 ms by the
// server, so that a send result reported later still comes before the open).
var task = uni.connectSocket({ url: SERVER + '/s25?delay=200ms', complete: function () {} });
task.send(withCbs('send', { data: 'too early' }));
log('send returned');
task.onOpen(function () { task.close(); });
task.onClose(function (res) { log('close', res); end(); });
