// The server closes with 1000 and no reason.
var s = openSocket(SERVER + '/t04?close=1000');
s.on('close', end);
