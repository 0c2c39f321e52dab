// When the oldest socket closes, the next one becomes the global target.
listenGlobal();
var a = uni.connectSocket({ url: SERVER + '/a47', complete: function () {} });
listen(a, 'A');
var b;
a.onOpen(function () {
  b = uni.connectSocket({ url: SERVER + '/b47', complete: function () {} });
  listen(b, 'B');
  b.onOpen(function () { a.close({ code: 4001, reason: 'A' }); });
  b.onMessage(function () { uni.closeSocket({ code: 4002, reason: 'B' }); });
  b.onClose(function () { later(50, end); });
});
a.onClose(function () {
  // On a later turn: A leaves the registry after its close listeners ran.
  later(0, function () {
    uni.sendSocketMessage({ data: 'to B now' });
  });
});
