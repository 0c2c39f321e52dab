// Sending once the socket has closed.
var s = openSocket(SERVER + '/t23');
s.on('open', function () { s.close(1000); });
s.on('close', function () { s.send('too late'); later(100, end); });
