// The server sends two binary messages.
var n = 0;
var task = uni.connectSocket({ url: SERVER + '/s45?send=2&binary=1&size=4', complete: function () {} });
listen(task, 'task');
task.onMessage(function (res) { log('is ArrayBuffer', res.data instanceof ArrayBuffer); if (++n === 2) task.close(); });
task.onClose(function () { end(); });
