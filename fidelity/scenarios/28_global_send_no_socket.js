// The global send with no socket at all.
uni.sendSocketMessage(withCbs('sendSocketMessage', { data: 'x' }));
log('returned');
later(100, end);
