// The global close with a code and reason.
uni.connectSocket({ url: SERVER + '/s60' });
uni.onSocketOpen(function () { uni.closeSocket(withCbs('closeSocket', { code: 3001, reason: 'ciao' })); });
uni.onSocketClose(function (res) { log('close', res); end(); });
