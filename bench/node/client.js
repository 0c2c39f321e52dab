'use strict';
// The Node ws client of unisocket's benchmark. It reads one cell per line
// on stdin ({url, size, binary, window, warmMs, durMs}), runs the same echo
// loop as the Go clients (window messages in flight: a warm-up, then durMs
// of counting, then the messages in flight are collected) and answers with
// one JSON line: {msgs, sec, cpu_us} or {error}. Text messages are turned
// into strings, as a browser and uni-app deliver them.
const WebSocket = require('ws');
const readline = require('readline');

const queue = [];
let busy = false;
let ended = false;

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line.trim() === '') return;
  queue.push(JSON.parse(line));
  next();
});
rl.on('close', () => {
  ended = true;
  if (!busy) process.exit(0);
});

function next() {
  if (busy) return;
  if (queue.length === 0) {
    if (ended) process.exit(0);
    return;
  }
  busy = true;
  runCell(queue.shift(), (res) => {
    process.stdout.write(JSON.stringify(res) + '\n');
    busy = false;
    next();
  });
}

function runCell(c, done) {
  const ws = new WebSocket(c.url, { maxPayload: 64 << 20, perMessageDeflate: false });
  const payload = c.binary ? Buffer.alloc(c.size, 0x78) : 'x'.repeat(c.size);
  const warmNs = BigInt(Math.round(c.warmMs * 1e6));
  const durNs = BigInt(Math.round(c.durMs * 1e6));
  let phase = 0; // 0 warming, 1 counting, 2 draining, 3 closing
  let inflight = 0;
  let count = 0;
  let t0 = 0n;
  let cpu0 = null;
  let res = null;
  let finished = false;
  const finish = (r) => {
    if (finished) return;
    finished = true;
    done(r);
  };
  const fill = () => {
    ws.send(payload, { binary: c.binary });
    inflight++;
  };
  ws.on('open', () => {
    t0 = process.hrtime.bigint();
    for (let i = 0; i < c.window; i++) fill();
  });
  ws.on('message', (data, isBinary) => {
    inflight--;
    const m = isBinary ? data : data.toString();
    if (m.length !== c.size) {
      res = { error: `echo of ${c.size} bytes came back with ${m.length}` };
      phase = 3;
      ws.close(1000);
      return;
    }
    const now = process.hrtime.bigint();
    if (phase === 0) {
      if (now - t0 >= warmNs) {
        phase = 1;
        t0 = now;
        cpu0 = process.cpuUsage();
      }
    } else if (phase === 1) {
      count++;
      if (now - t0 >= durNs) {
        phase = 2;
        const cpu = process.cpuUsage(cpu0);
        res = { msgs: count, sec: Number(now - t0) / 1e9, cpu_us: cpu.user + cpu.system };
      }
    }
    if (phase < 2) fill();
    else if (phase === 2 && inflight === 0) {
      phase = 3;
      ws.close(1000);
    }
  });
  ws.on('error', (err) => {
    if (!res || !res.error) res = { error: String(err && err.message ? err.message : err) };
  });
  ws.on('close', () => finish(res || { error: 'closed before the cell ended' }));
}
