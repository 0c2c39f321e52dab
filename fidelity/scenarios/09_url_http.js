// An http:// URL for the same server.
var url = SERVER.replace(/^ws:/, 'http:') + '/s09';
var task = uni.connectSocket(withCbs('connectSocket', { url: url }));
listen(task, 'task');
task.onOpen(function () { task.close(); });
task.onClose(function () { end(); });
task.onError(function () { later(100, end); });
later(3000, end);
