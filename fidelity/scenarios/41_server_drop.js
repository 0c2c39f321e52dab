// The server cuts the TCP connection without a close frame.
listenGlobal();
var task = uni.connectSocket({ url: SERVER + '/s41?drop=1', complete: function () {} });
listen(task, 'task');
task.onClose(function () { later(100, end); });
