// The server closes with 4001 "bye".
var s = openSocket(SERVER + '/t02?close=4001&reason=bye');
s.on('close', end);
