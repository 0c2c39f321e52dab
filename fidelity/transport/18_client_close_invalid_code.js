// Codes a client may not send are refused and the socket stays open.
var s = openSocket(SERVER + '/t18');
s.on('open', function () {
  s.close(1001);
  s.close(2999);
  s.close(5000);
  s.close(4000, new Array(125).join('r'));
  s.close(4000, 'fine');
});
s.on('close', end);
