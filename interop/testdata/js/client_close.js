// Client close: task.close({code: 3001, reason: 'ciao'}), then close({})
// with no code; each time the server reports the close frame it received
// (through /lastclose), 3001 "ciao" and then 1000 "".
function closeWith(id, options, next) {
  var task = uni.connectSocket({url: '@BASE@/echo?id=' + id, complete: function () {}});
  task.onOpen(function () {
    options.success = function (r) { console.log(r.errMsg); };
    task.close(options);
  });
  task.onError(function (res) { console.log('error', res.errMsg); });
  task.onClose(function (res) {
    console.log('close', res.code);
    var probe = uni.connectSocket({url: '@BASE@/lastclose?id=' + id, complete: function () {}});
    probe.onMessage(function (res) {
      console.log('server received', res.data);
      probe.close({});
    });
    probe.onClose(function () { if (next) next(); });
  });
}

closeWith('@ID@', {code: 3001, reason: 'ciao'}, function () {
  closeWith('@ID@-default', {});
});
