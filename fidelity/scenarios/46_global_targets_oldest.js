// Two sockets: the global API and listeners belong to the older one. B
// connects once A is open, and they close one after the other, so the
// order of events does not depend on the network.
listenGlobal();
var a = uni.connectSocket({ url: SERVER + '/a46', complete: function () {} });
listen(a, 'A');
var b;
a.onOpen(function () {
  b = uni.connectSocket({ url: SERVER + '/b46', complete: function () {} });
  listen(b, 'B');
  b.onOpen(function () { uni.sendSocketMessage({ data: 'to oldest' }); });
  b.onMessage(function () { b.close({ code: 4002 }); });
  b.onClose(function () { later(50, end); });
});
a.onMessage(function () {
  a.close({ code: 4001 });
});
a.onClose(function () { b.send({ data: 'to B' }); });
