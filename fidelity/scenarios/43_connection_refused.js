// Nobody listens on the port.
listenGlobal();
var task = uni.connectSocket(withCbs('connectSocket', { url: REFUSED + '/s43' }));
listen(task, 'task');
task.onClose(function () { later(100, end); });
