// No url at all.
var task = uni.connectSocket(withCbs('connectSocket', {}));
log('returned', typeof task);
later(200, end);
