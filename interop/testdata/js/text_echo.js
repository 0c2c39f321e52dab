// Text echo: strings sent once the socket is open come back as the same
// strings (UTF-16 length and content), in order.
var texts = ['hello', '', 'héllo wörld ✓ 🎉', 'x'.repeat(70000)];
var task = uni.connectSocket({url: '@BASE@/echo', complete: function () {}});
var n = 0;
task.onOpen(function () {
  console.log('open');
  texts.forEach(function (s) { task.send({data: s}); });
});
task.onMessage(function (res) {
  var want = texts[n++];
  var shown = res.data.length > 20 ? res.data.length + ' chars' : JSON.stringify(res.data);
  console.log('echo', typeof res.data, shown, res.data === want);
  if (n === texts.length) task.close({});
});
task.onError(function (res) { console.log('error', res.errMsg); });
task.onClose(function (res) { console.log('close', res.code); });
