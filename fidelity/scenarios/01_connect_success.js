// connectSocket with success/fail/complete returns the task; the task's
// events and the global ones, in order, for a socket the test closes.
listenGlobal();
var task = uni.connectSocket(withCbs('connectSocket', { url: SERVER + '/s01' }));
log('returned', typeof task);
listen(task, 'task');
task.onOpen(function () {
  task.close(withCbs('close', { code: 1000, reason: 'done' }));
});
task.onClose(function () { end(); });
