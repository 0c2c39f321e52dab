// The client asks for none and the server confirms one.
var s = openSocket(SERVER + '/t14?protocol=chat');
s.on('close', function () { later(100, end); });
