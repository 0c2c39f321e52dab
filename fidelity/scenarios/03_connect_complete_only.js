// complete alone makes connectSocket return the task (the seed's second example).
var task = uni.connectSocket({
  url: SERVER + '/s03',
  complete: function (res) { log('complete', res); },
});
log('returned', typeof task, typeof task.send, typeof task.onOpen);
listen(task, 'task');
task.onOpen(function () { task.close({}); });
task.onClose(function () { end(); });
