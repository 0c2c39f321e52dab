// Two round trips on one socket, then a clean close: the callback form
// on uni, with the round-trip time and a check recorded.
const task = uni.connectSocket({
  url: unisocket.target + '/?vu=' + unisocket.vu,
  complete() {},
});
let sentAt = 0;
let n = 0;
function ping() {
  sentAt = Date.now();
  task.send({ data: 'ping ' + n });
}
task.onOpen(ping);
task.onMessage((res) => {
  unisocket.trend('rtt', Date.now() - sentAt);
  unisocket.check('echoed', res.data === 'ping ' + n);
  n++;
  if (n < 2) ping();
  else task.close({});
});
task.onClose(() => unisocket.counter('closed'));
console.log('iteration', unisocket.iteration, 'of VU', unisocket.vu);
