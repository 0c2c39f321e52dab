// The server's close frame has no payload: 1005.
var s = openSocket(SERVER + '/t03?close=empty');
s.on('close', end);
