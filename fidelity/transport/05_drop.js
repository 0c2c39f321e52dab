// The server cuts the TCP connection without a close frame.
var s = openSocket(SERVER + '/t05?drop=1');
s.on('close', function () { later(100, end); });
