// A subprotocol with a space is no token.
var task = uni.connectSocket(withCbs('connectSocket', { url: SERVER + '/s17', protocols: ['a b'] }));
log('returned', typeof task);
later(200, end);
