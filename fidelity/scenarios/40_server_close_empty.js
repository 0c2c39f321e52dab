// The server's close frame has no payload: 1005.
var task = uni.connectSocket({ url: SERVER + '/s40?close=empty', complete: function () {} });
listen(task, 'task');
task.onClose(function () { later(50, end); });
