// Holds its socket open until the test stops it.
const task = uni.connectSocket({ url: unisocket.target + '/', complete() {} });
task.onOpen(() => console.log('open'));
