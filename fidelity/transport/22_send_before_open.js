// Sending while the handshake is under way (held 200 ms by the server, so
// that a send result reported later still comes before the open).
var s = openSocket(SERVER + '/t22?delay=200ms');
s.send('too early');
s.on('open', function () { s.close(1000); });
s.on('close', end);
