// The server never answers the handshake; the client gives up by closing.
var s = openSocket(SERVER + '/t16?hang=1');
later(200, function () { s.close(1000); });
s.on('close', function () { later(100, end); });
