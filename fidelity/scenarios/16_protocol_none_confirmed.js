// The client asks for a subprotocol and the server confirms none.
var task = uni.connectSocket(withCbs('connectSocket', { url: SERVER + '/s16?protocol=none', protocols: ['chat'] }));
listen(task, 'task');
task.onOpen(function () { task.close(); });
task.onClose(function () { end(); });
