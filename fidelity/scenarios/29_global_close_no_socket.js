// The global close with no socket at all.
uni.closeSocket(withCbs('closeSocket', {}));
log('returned');
later(100, end);
