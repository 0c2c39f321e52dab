// A reason of 124 bytes is too long; 123 bytes is fine.
var task = uni.connectSocket({ url: SERVER + '/s36', complete: function () {} });
task.onOpen(function () {
  task.close(withCbs('close 124', { code: 4000, reason: new Array(125).join('r') }));
  task.close(withCbs('close 123', { code: 4000, reason: new Array(124).join('r') }));
});
task.onClose(function (res) { log('close', res.code, res.reason.length); end(); });
