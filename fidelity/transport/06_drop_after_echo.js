// The server echoes one message, then cuts the connection.
var s = openSocket(SERVER + '/t06?drop=1&after=1');
s.on('open', function () { s.send('one'); });
s.on('close', function () { later(100, end); });
