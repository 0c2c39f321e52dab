// A throwing global listener. The fallback end is for a world where the
// throw stops the other listeners.
uni.onSocketOpen(function () { throw new Error('boom in onSocketOpen'); });
uni.onSocketOpen(function () { log('second global open'); uni.closeSocket(); });
uni.connectSocket({ url: SERVER + '/s52' });
uni.onSocketClose(function (res) { log('close', res); end(); });
later(1500, end);
