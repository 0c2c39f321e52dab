// The server sends three text messages right after opening.
listenGlobal();
var n = 0;
var task = uni.connectSocket({ url: SERVER + '/s44?send=3', complete: function () {} });
listen(task, 'task');
task.onMessage(function () { if (++n === 3) task.close(); });
uni.onSocketClose(function () { end(); });
