// A scheme that is neither ws(s) nor http(s).
var task = uni.connectSocket(withCbs('connectSocket', { url: 'ftp://127.0.0.1/s08' }));
log('returned', typeof task);
later(200, end);
