// Every global listener registered fires, in registration order.
uni.onSocketOpen(function () { log('open listener 1'); });
uni.onSocketOpen(function () { log('open listener 2'); });
uni.connectSocket({ url: SERVER + '/s49' });
uni.onSocketOpen(function () { log('open listener 3'); uni.closeSocket(); });
uni.onSocketClose(function () { log('close listener 1'); });
uni.onSocketClose(function () { log('close listener 2'); end(); });
