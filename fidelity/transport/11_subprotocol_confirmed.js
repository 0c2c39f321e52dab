// The server confirms the first subprotocol asked for.
var s = openSocket(SERVER + '/t11', ['chat', 'superchat']);
s.on('open', function () { s.close(1000); });
s.on('close', end);
