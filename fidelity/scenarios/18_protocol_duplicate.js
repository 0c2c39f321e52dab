// The same subprotocol twice.
var task = uni.connectSocket(withCbs('connectSocket', { url: SERVER + '/s18', protocols: ['chat', 'chat'] }));
log('returned', typeof task);
later(200, end);
