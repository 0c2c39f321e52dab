// Sending while the handshake is under way.
var s = openSocket(SERVER + '/t22');
s.send('too early');
s.on('open', function () { s.close(1000); });
s.on('close', end);
