// Open, then the client closes with 1000 (uni-app always sends a code).
var s = openSocket(SERVER + '/t01');
s.on('open', function () { s.close(1000); });
s.on('close', end);
