// Text and binary echoed as they were sent.
var s = openSocket(SERVER + '/t19');
var n = 0;
s.on('open', function () {
  s.send('hello');
  s.send(new Uint8Array([0, 1, 254, 255]).buffer);
});
s.on('message', function () { if (++n === 2) s.close(1000); });
s.on('close', end);
