// The server closes with 4001 "bye".
listenGlobal();
var task = uni.connectSocket({ url: SERVER + '/s39?close=4001&reason=bye', complete: function () {} });
listen(task, 'task');
uni.onSocketClose(function () { end(); });
