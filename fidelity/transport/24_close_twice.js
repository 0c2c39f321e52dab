// Closing a closing socket.
var s = openSocket(SERVER + '/t24');
s.on('open', function () { s.close(4001, 'first'); s.close(4002, 'second'); });
s.on('close', end);
