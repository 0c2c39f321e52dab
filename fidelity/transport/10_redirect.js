// The server answers the handshake with a redirect, which is not followed.
var s = openSocket(SERVER + '/t10?redirect=' + encodeURIComponent(SERVER + '/elsewhere'));
s.on('close', function () { later(100, end); });
