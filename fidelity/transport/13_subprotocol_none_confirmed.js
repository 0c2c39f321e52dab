// The client asks for a subprotocol and the server confirms none.
var s = openSocket(SERVER + '/t13?protocol=none', ['chat']);
s.on('open', function () { s.close(1000); });
s.on('close', function () { later(100, end); });
