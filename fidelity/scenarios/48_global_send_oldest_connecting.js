// The oldest socket is still connecting while a newer one is open.
var a = uni.connectSocket({ url: SERVER + '/a48?delay=500ms', complete: function () {} });
var b = uni.connectSocket({ url: SERVER + '/b48', complete: function () {} });
b.onOpen(function () {
  uni.sendSocketMessage(withCbs('global send', { data: 'x' }));
  b.close({ code: 4002 });
});
a.onOpen(function () { a.close({ code: 4001 }); });
var closed = 0;
function done(res) { log('close', res); if (++closed === 2) end(); }
a.onClose(done);
b.onClose(done);
