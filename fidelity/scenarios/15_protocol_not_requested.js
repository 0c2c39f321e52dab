// The server confirms a subprotocol the client did not ask for.
listenGlobal();
var task = uni.connectSocket(withCbs('connectSocket', { url: SERVER + '/s15?protocol=other', protocols: ['chat'] }));
listen(task, 'task');
task.onClose(function () { end(); });
