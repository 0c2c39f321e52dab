// The server confirms a subprotocol the client did not ask for.
var s = openSocket(SERVER + '/t12?protocol=other', ['chat']);
s.on('close', function () { later(100, end); });
