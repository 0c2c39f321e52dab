// The server sends three messages right after opening, then closes.
var s = openSocket(SERVER + '/t20?send=3&close=4000&reason=sent');
s.on('close', end);
