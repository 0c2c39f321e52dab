// The client closes with 3001 "ciao"; the server echoes the close.
var s = openSocket(SERVER + '/t17');
s.on('open', function () { s.close(3001, 'ciao'); });
s.on('close', end);
