// closeSocket while the handshake is under way (the seed's caveat).
listenGlobal();
var task = uni.connectSocket({ url: SERVER + '/s38?delay=300ms', complete: function () {} });
listen(task, 'task');
uni.closeSocket(withCbs('closeSocket', {}));
task.onClose(function () { later(100, end); });
