// The Promise forms: connectSocket without callbacks, then the global
// sendSocketMessage, as uni-app code written with async/await does.
uni.onSocketOpen(async () => {
  const r = await uni.sendSocketMessage({ data: 'hi' });
  unisocket.check('sent', r.errMsg === 'sendSocketMessage:ok');
});
uni.onSocketMessage(() => uni.closeSocket({ code: 4000 }));
uni.connectSocket({ url: unisocket.target + '/' }).then((r) => unisocket.check('issued', r.errMsg === 'connectSocket:ok'));
