// A string that is no URL.
var task = uni.connectSocket(withCbs('connectSocket', { url: 'not a url' }));
log('returned', typeof task);
later(200, end);
