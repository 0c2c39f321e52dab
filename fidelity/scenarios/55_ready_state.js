// readyState and the constants through the life of a socket.
var task = uni.connectSocket({ url: SERVER + '/s55', complete: function () {} });
log('constants', task.CONNECTING, task.OPEN, task.CLOSING, task.CLOSED);
log('after connect', task.readyState);
task.onOpen(function () {
  log('on open', task.readyState);
  task.close();
  log('after close()', task.readyState);
});
task.onClose(function () { log('on close', task.readyState); end(); });
