// The soak's JavaScript client: uni-app socket code as a page would write
// it, connecting, talking and reconnecting until SOAK.durationMs has
// passed, in SOAK.chains chains at once. It checks the soak's invariants
// itself and prints one JSON line of counts and violations at the end.
// TestSoak defines SOAK on this file's first line; see js_test.go.

// mulberry32: a small seeded generator, so that -soak.seed replays the
// script's choices too.
function mulberry32(a) {
  return function () {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SOAK.seed);
const intn = (n) => Math.floor(rand() * n);

const stats = {
  connections: 0, opened: 0, sends: 0, sendOK: 0, sendFail: 0, echoes: 0, flood: 0,
  closes: 0, errors: 0, closeCalls: 0, codes: {}, scenarios: {},
};
const violations = [];
let nViolations = 0;
function violate(msg) {
  nViolations++;
  if (violations.length < 20) violations.push(msg);
}

const deadline = Date.now() + SOAK.durationMs;
let running = SOAK.chains;
let connSeq = 0;

const scenarios = ['echo', 'server-close', 'drop', 'reset', 'stall', 'hang', 'status', 'flood',
  'slow-reader', 'over-limit', 'close-in-flight', 'close-connecting'];

function plan() {
  const sc = scenarios[intn(scenarios.length)];
  const p = {
    sc, q: {}, timeout: 0, sends: 1 + intn(40), window: 1 + intn(8), after: 0, flood: 0,
    code: intn(2) ? 1000 : 3000 + intn(2000), reason: 'js bye ' + intn(1000),
    wantCode: 0, wantOpen: 1, binary: intn(4) === 0,
  };
  p.wantCode = p.code;
  switch (sc) {
    case 'server-close':
      p.after = intn(30);
      p.sends = p.after + 1 + intn(5);
      p.wantCode = 3000 + intn(2000);
      Object.assign(p.q, { close: p.wantCode, reason: '服务器 bye', after: p.after });
      break;
    case 'drop': case 'reset': case 'stall':
      p.after = intn(30);
      p.sends = p.after + 1 + intn(5);
      p.window = Math.max(p.window, p.sends - p.after);
      p.q[sc] = 1;
      p.q.after = p.after;
      p.wantCode = 1006;
      break;
    case 'hang':
      p.q.hang = 1;
      p.timeout = 5 + intn(40);
      p.wantCode = 1006;
      p.wantOpen = -1;
      break;
    case 'status':
      p.q.status = [400, 403, 404, 500, 503][intn(5)];
      p.wantCode = 1006;
      p.wantOpen = -1;
      break;
    case 'flood':
      p.flood = 1 + intn(SOAK.flood);
      p.q.send = p.flood;
      p.q.size = 16 + intn(SOAK.floodSize - 15); // "message K" stays whole
      break;
    case 'slow-reader':
      p.q.slow = (100 + intn(900)) + 'us';
      p.sends = 1 + intn(SOAK.burst);
      break;
    case 'over-limit':
      p.q.send = 1;
      p.q.size = SOAK.readLimit + 1 + intn(1000);
      p.wantCode = 1006;
      break;
    case 'close-in-flight':
      p.sends = 1 + intn(SOAK.burst);
      break;
    case 'close-connecting':
      p.wantCode = 1006;
      p.wantOpen = -1;
      break;
  }
  return p;
}

function queryOf(q) {
  return Object.keys(q).map((k) => k + '=' + encodeURIComponent(String(q[k]))).join('&');
}

function bytes(s) {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b.buffer;
}

function text(buf) {
  return String.fromCharCode.apply(null, new Uint8Array(buf));
}

function connect(chain) {
  if (Date.now() >= deadline) {
    chainDone();
    return;
  }
  const p = plan();
  const id = SOAK.id + '.' + chain + '.' + (++connSeq);
  const query = queryOf(p.q);
  const tag = id + ' (' + p.sc + ' ' + query + ')';
  stats.connections++;
  stats.scenarios[p.sc] = (stats.scenarios[p.sc] || 0) + 1;
  const s = {
    opens: 0, closes: 0, errors: 0, errMsg: '', sent: 0, echoed: 0, flood: 0,
    results: [], pending: 0, closeCalls: 0, closing: false,
  };

  const opts = { url: SOAK.url + '/soak' + (query ? '?' + query : ''), complete() {} };
  opts.fail = (res) => violate(tag + ': connectSocket failed: ' + res.errMsg);
  if (p.timeout) opts.timeout = p.timeout;
  const task = uni.connectSocket(opts);

  function send() {
    const seq = ++s.sent;
    stats.sends++;
    s.pending++;
    let results = 0;
    const data = p.binary ? bytes(id + ':' + seq) : id + ':' + seq;
    const settle = (ok, res) => {
      results++;
      if (results > 1) {
        violate(tag + ': send ' + seq + ' got a second result: ' + res.errMsg);
        return;
      }
      s.results[seq] = ok;
      if (ok) stats.sendOK++;
      else stats.sendFail++;
    };
    task.send({
      data,
      success: (res) => settle(true, res),
      fail: (res) => settle(false, res),
      complete: () => {
        s.pending--;
        if (results !== 1) violate(tag + ': send ' + seq + ' completed after ' + results + ' results');
      },
    });
  }

  function close() {
    if (s.closing) return;
    s.closing = true;
    s.closeCalls++;
    stats.closeCalls++;
    s.pending++;
    let results = 0;
    task.close({
      code: p.code, reason: p.reason,
      success: () => results++,
      fail: () => results++,
      complete: () => {
        s.pending--;
        if (results !== 1) violate(tag + ': close completed after ' + results + ' results');
      },
    });
  }

  // pump sends within the window and ends the conversation when the plan
  // says so; it runs at open and after every message.
  function pump() {
    if (s.closes > 0 || s.closing || task.readyState !== task.OPEN) return;
    if (p.sc === 'flood' && s.flood < p.flood) return;
    while (s.sent < p.sends && s.sent - s.echoed < p.window) send();
    if (p.sc === 'stall' && s.sent === p.sends && s.echoed >= p.after) close();
    if ((p.sc === 'echo' || p.sc === 'flood') && s.echoed === p.sends) close();
  }

  task.onOpen(() => {
    s.opens++;
    stats.opened++;
    if (s.opens > 1) violate(tag + ': open event ' + s.opens);
    switch (p.sc) {
      case 'slow-reader':
        for (let i = 0; i < p.sends; i++) send();
        break;
      case 'close-in-flight':
        for (let i = 0; i < p.sends; i++) send();
        close();
        for (let i = 0; i < 3; i++) send();
        break;
      default:
        pump();
    }
  });

  task.onMessage((res) => {
    const msg = typeof res.data === 'string' ? res.data : text(res.data);
    if (msg.startsWith('message ')) {
      const k = parseInt(msg.slice(8), 10);
      if (s.echoed > 0) violate(tag + ': server message ' + k + ' after echo ' + s.echoed);
      else if (k !== s.flood + 1) violate(tag + ': server message ' + k + ' after ' + s.flood);
      s.flood = k;
      stats.flood++;
    } else if (msg.startsWith(id + ':')) {
      if ((typeof res.data !== 'string') !== p.binary) violate(tag + ': an echo changed type');
      const seq = parseInt(msg.slice(id.length + 1), 10);
      if (seq !== s.echoed + 1) violate(tag + ': echo ' + seq + ' after echo ' + s.echoed);
      s.echoed = seq;
      stats.echoes++;
    } else {
      violate(tag + ': a message that is neither ours nor the server\'s: ' + msg.slice(0, 40));
    }
    if (p.sc === 'slow-reader' && s.echoed === p.sends) close();
    pump();
  });

  task.onError((res) => {
    s.errors++;
    stats.errors++;
    s.errMsg = res.errMsg;
    if (s.errors > 1) violate(tag + ': error event ' + s.errors);
  });

  task.onClose((res) => {
    s.closes++;
    stats.closes++;
    stats.codes[res.code] = (stats.codes[res.code] || 0) + 1;
    if (s.closes > 1) {
      violate(tag + ': close event ' + s.closes);
      return;
    }
    // Fail results of queued sends may still be on their way: wait for
    // them (a bounded number of turns), then check the connection.
    let turns = 0;
    const settle = () => {
      if (s.pending > 0 && ++turns < 5000) {
        setTimeout(settle, 1);
        return;
      }
      check(res);
      setTimeout(() => connect(chain), intn(5));
    };
    settle();
  });

  if (p.sc === 'close-connecting') close();

  function check(res) {
    if (s.pending > 0) violate(tag + ': ' + s.pending + ' sends or closes without a result');
    if (p.wantOpen === 1 && s.opens === 0) violate(tag + ': never opened: ' + s.errMsg);
    if (p.wantOpen === -1 && s.opens > 0) violate(tag + ': opened, want a failed handshake');
    const timedOut = s.closeCalls > 0 && res.code === 1006 && s.errMsg.includes('did not answer the close frame');
    if (p.wantCode && res.code !== p.wantCode && !timedOut) {
      violate(tag + ': closed with ' + res.code + ' ' + JSON.stringify(res.reason) + ' (error ' +
        JSON.stringify(s.errMsg) + '), want ' + p.wantCode);
    }
    // A drop or reset gives close 1006 alone, as a browser reports it (the
    // standard profile's Drop rule); every other 1006 comes after one error.
    const wantErrors = (p.sc === 'drop' || p.sc === 'reset') && !timedOut ? 0 : 1;
    if (p.wantCode === 1006 && s.errors !== wantErrors) violate(tag + ': ' + s.errors + ' error events before 1006, want ' + wantErrors);
    for (let seq = 1; seq <= s.echoed; seq++) {
      if (s.results[seq] !== true) {
        violate(tag + ': send ' + seq + ' was echoed but its result was not success');
        break;
      }
    }
    if ((p.sc === 'server-close' || p.sc === 'drop') && s.echoed !== p.after) {
      violate(tag + ': ' + s.echoed + ' echoes before the server\'s end, want ' + p.after);
    }
    if (p.sc === 'flood' && s.flood !== p.flood) violate(tag + ': ' + s.flood + ' of ' + p.flood + ' server messages');
  }
}

function chainDone() {
  if (--running > 0) return;
  stats.violations = violations;
  stats.nViolations = nViolations;
  console.log(JSON.stringify(stats));
}

for (let chain = 0; chain < SOAK.chains; chain++) connect(chain);
