// Task listeners in registration order, then the global ones.
uni.onSocketOpen(function () { log('global open'); });
uni.onSocketMessage(function () { log('global message'); });
var task = uni.connectSocket({ url: SERVER + '/s50?send=1', complete: function () {} });
task.onOpen(function () { log('task open 1'); });
task.onOpen(function () { log('task open 2'); });
task.onMessage(function () { log('task message 1'); });
task.onMessage(function () { log('task message 2'); task.close(); });
task.onClose(function () { log('task close'); end(); });
