// A success callback that throws.
var task = uni.connectSocket({ url: SERVER + '/s27', complete: function () {} });
task.onOpen(function () {
  task.send({
    data: 'x',
    success: function (res) { log('success', res); throw new Error('boom in success'); },
    fail: function (res) { log('fail', res); },
    complete: function (res) { log('complete', res); task.close(); },
  });
});
task.onClose(function (res) { log('close', res); end(); });
