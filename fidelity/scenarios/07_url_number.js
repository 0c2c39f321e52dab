// url of the wrong type.
var task = uni.connectSocket(withCbs('connectSocket', { url: 123 }));
log('returned', typeof task);
later(200, end);
