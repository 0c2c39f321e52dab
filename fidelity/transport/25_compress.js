// A server that accepts permessage-deflate.
var s = openSocket(SERVER + '/t25?compress=1');
s.on('open', function () { s.send(new Array(2001).join('compressible ')); });
s.on('message', function () { s.close(1000); });
s.on('close', end);
