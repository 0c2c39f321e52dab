// Interop peer: a WebSocket server written with Node's `ws` package, used by
// interop/interop_test.go. It listens on 127.0.0.1 at a free port, prints
// "PORT <n>" on stdout, and exits when its stdin closes (so it never
// outlives the test that started it).
//
// Behaviours, chosen by the request path:
//   /echo          echo every message back, text as text, binary as binary
//   /subprotocol   confirm the first requested subprotocol that is one of
//                  chat.v1 or chat.v2 (none otherwise), then send
//                  "subprotocol:<chosen>"
//   /close         close at once with the code and reason of the query
//                  (?code=4001&reason=bye)
//   /ping          send a ping with a fresh payload; when the pong comes
//                  back, send "pong:<payload>:ok" if its payload matches,
//                  "pong:<payload>:mismatch:<got>" otherwise
//   /deflate       send "extensions:<negotiated Sec-WebSocket-Extensions>",
//                  then echo
//   /reject        refuse the handshake with HTTP 403
//   /lastclose     ?id=X: wait for the close frame of the /echo?id=X
//                  connection and send "close:<code>:<reason>"
'use strict';

const http = require('http');
const { WebSocketServer } = require('ws');

const SUPPORTED = ['chat.v1', 'chat.v2'];

// Close frames received by /echo?id=X connections, and /lastclose waiters.
const closes = new Map();
const closeWaiters = new Map();

function recordClose(id, code, reason) {
  closes.set(id, { code, reason });
  const waiters = closeWaiters.get(id) || [];
  closeWaiters.delete(id);
  for (const w of waiters) w();
}

const wss = new WebSocketServer({
  noServer: true,
  maxPayload: 64 << 20,
  perMessageDeflate: true,
  handleProtocols: (protocols) => {
    for (const p of protocols) {
      if (SUPPORTED.includes(p)) return p;
    }
    return false;
  },
});

const server = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('WebSocket only\n');
});

server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname === '/reject') {
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: close\r\n\r\nforbidden\n');
    return;
  }
  // Only /deflate negotiates permessage-deflate; strip the offer elsewhere
  // so the other features test plain frames.
  if (url.pathname !== '/deflate') {
    delete req.headers['sec-websocket-extensions'];
  }
  wss.handleUpgrade(req, socket, head, (ws) => handle(ws, url, req));
});

function handle(ws, url, req) {
  switch (url.pathname) {
    case '/echo': {
      const id = url.searchParams.get('id');
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      if (id) {
        // The close frame the client sent: code and reason, as received.
        ws.on('close', (code, reason) => recordClose(id, code, reason.toString('utf8')));
      }
      return;
    }
    case '/subprotocol':
      ws.send('subprotocol:' + ws.protocol);
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      return;
    case '/close': {
      const code = Number(url.searchParams.get('code') || '1000');
      const reason = url.searchParams.get('reason') || '';
      ws.close(code, reason);
      return;
    }
    case '/ping': {
      const payload = 'ping-' + Math.random().toString(36).slice(2, 10);
      ws.on('pong', (data) => {
        const got = data.toString('utf8');
        ws.send(got === payload ? `pong:${payload}:ok` : `pong:${payload}:mismatch:${got}`);
      });
      ws.ping(payload);
      return;
    }
    case '/deflate':
      ws.send('extensions:' + ws.extensions);
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      return;
    case '/lastclose': {
      const id = url.searchParams.get('id');
      const report = () => {
        const c = closes.get(id);
        ws.send(`close:${c.code}:${c.reason}`);
      };
      if (closes.has(id)) {
        report();
      } else {
        const list = closeWaiters.get(id) || [];
        list.push(report);
        closeWaiters.set(id, list);
        // A safety net so a missing close never hangs the test.
        setTimeout(() => { if (!closes.has(id)) ws.send('close:none'); }, 10000).unref();
      }
      return;
    }
    default:
      ws.close(4404, 'unknown path');
  }
}

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});

// Exit when the test that started us goes away.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
