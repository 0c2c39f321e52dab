// A chat client as a uni-app page would write it, for `unisocket load`.
//
//   unisocket load examples/load/chat.js --vus 10 --duration 30s
//
// Each iteration is one visit: connect, say three things a second apart,
// time each echo, leave. unisocket.target is the server to load (the
// embedded echo server unless --target is given); unisocket.trend,
// unisocket.check and unisocket.counter add the script's own metrics to
// the summary.
const MESSAGES = 3;

const task = uni.connectSocket({
  url: unisocket.target + '/chat?user=vu' + unisocket.vu,
  complete() {}, // a callback, so connectSocket returns the SocketTask
});

let sentAt = 0;
let said = 0;
let timer = null;

function say() {
  said++;
  sentAt = Date.now();
  task.send({ data: JSON.stringify({ from: unisocket.vu, n: said, text: 'hello' }) });
}

task.onOpen(() => {
  say();
  timer = setInterval(() => {
    if (said < MESSAGES) say();
  }, 1000);
});

task.onMessage((res) => {
  unisocket.trend('chat_rtt', Date.now() - sentAt);
  const msg = JSON.parse(res.data);
  unisocket.check('echo is ours', msg.from === unisocket.vu && msg.n === said);
  if (said >= MESSAGES) {
    clearInterval(timer);
    task.close({ code: 1000, reason: 'bye' });
  }
});

task.onError((err) => {
  unisocket.counter('chat_failures');
  clearInterval(timer);
});

task.onClose(() => clearInterval(timer));
