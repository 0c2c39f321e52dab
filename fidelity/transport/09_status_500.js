// The handshake is refused with 500.
var s = openSocket(SERVER + '/t09?status=500');
s.on('close', function () { later(100, end); });
