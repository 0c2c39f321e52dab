// One round trip, then a clean close.
const task = uni.connectSocket({ url: unisocket.target + '/', complete() {} });
task.onOpen(() => task.send({ data: 'hi' }));
task.onMessage(() => task.close({}));
