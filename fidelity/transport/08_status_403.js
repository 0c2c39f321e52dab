// The handshake is refused with 403.
var s = openSocket(SERVER + '/t08?status=403');
s.on('close', function () { later(100, end); });
