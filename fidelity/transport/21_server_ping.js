// A server ping is answered by the client and is no event.
var s = openSocket(SERVER + '/t21?ping=hello');
s.on('open', function () { s.send('after ping'); });
s.on('message', function () { s.close(1000); });
s.on('close', end);
