// The server refuses the handshake with 403.
listenGlobal();
var task = uni.connectSocket(withCbs('connectSocket', { url: SERVER + '/s42?status=403' }));
listen(task, 'task');
task.onClose(function () { later(100, end); });
