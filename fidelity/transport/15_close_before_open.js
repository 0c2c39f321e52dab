// The client closes while the handshake is under way.
var s = openSocket(SERVER + '/t15?delay=300ms');
s.close(1000);
s.on('close', function () { later(100, end); });
