// The server echoes one message, then closes with 4002.
var s = openSocket(SERVER + '/t26?close=4002&reason=after&after=1');
s.on('open', function () { s.send('one'); });
s.on('close', end);
