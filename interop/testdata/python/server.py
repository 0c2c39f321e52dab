"""Interop peer: a WebSocket server written with Python's `websockets`
(Debian's python3-websockets), used by interop/interop_test.go.

Run it with /usr/bin/python3 (Debian's, which sees the Debian package:
websockets 10.4 on Debian 12; the server uses its legacy asyncio API,
create_protocol and process_request, which websockets 14+ moved). It
listens on 127.0.0.1 at a free port, prints "PORT <n>" on stdout, and exits
when its stdin closes, so it never outlives the test that started it.

The behaviours, chosen by the request path, are the same as
interop/testdata/node/server.js:
  /echo          echo every message
  /subprotocol   confirm chat.v1 or chat.v2 if requested (none otherwise),
                 then send "subprotocol:<chosen>"
  /close         close at once with ?code=&reason=
  /ping          ping with a fresh payload; "pong:<payload>:ok" once the
                 matching pong arrives, "pong:<payload>:missing" if none
                 does within 10 s
  /deflate       send "extensions:<negotiated extension names>", then echo
  /reject        refuse the handshake with HTTP 403
  /lastclose     ?id=X: wait for the close frame of the /echo?id=X
                 connection and send "close:<code>:<reason>"
"""

import asyncio
import http
import os
import secrets
import sys
import threading
from urllib.parse import parse_qs, urlsplit

import websockets
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

SUPPORTED = ["chat.v1", "chat.v2"]

closes = {}  # id -> (code, reason): close frames received on /echo?id=X
close_events = {}  # id -> asyncio.Event


def close_event(key):
    ev = close_events.get(key)
    if ev is None:
        ev = close_events[key] = asyncio.Event()
    return ev


class Protocol(websockets.WebSocketServerProtocol):
    def select_subprotocol(self, client_subprotocols, server_subprotocols):
        # The first requested one that we support, as the Node peer does.
        for p in client_subprotocols:
            if p in SUPPORTED:
                return p
        return None

    def process_extensions(self, headers, available_extension_factories):
        # Only /deflate negotiates permessage-deflate, so the other features
        # test plain frames.
        if urlsplit(self.path).path != "/deflate":
            return None, []
        return super().process_extensions(headers, available_extension_factories)


async def process_request(path, request_headers):
    if urlsplit(path).path == "/reject":
        return http.HTTPStatus.FORBIDDEN, [("Content-Type", "text/plain")], b"forbidden\n"
    return None


async def handler(ws, path=None):
    url = urlsplit(ws.path)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    route = url.path
    if route == "/echo":
        key = query.get("id")
        try:
            async for msg in ws:
                await ws.send(msg)
        except websockets.ConnectionClosed:
            pass
        if key:
            closes[key] = (ws.close_code, ws.close_reason)
            close_event(key).set()
    elif route == "/subprotocol":
        await ws.send("subprotocol:" + (ws.subprotocol or ""))
        async for msg in ws:
            await ws.send(msg)
    elif route == "/close":
        await ws.close(int(query.get("code", "1000")), query.get("reason", ""))
    elif route == "/ping":
        payload = "ping-" + secrets.token_hex(4)
        waiter = await ws.ping(payload)
        try:
            # websockets resolves the waiter only for a pong whose payload
            # is exactly the ping's.
            await asyncio.wait_for(waiter, 10)
            await ws.send(f"pong:{payload}:ok")
        except asyncio.TimeoutError:
            await ws.send(f"pong:{payload}:missing")
        async for _ in ws:
            pass
    elif route == "/deflate":
        names = ",".join(ext.name for ext in ws.extensions)
        await ws.send("extensions:" + names)
        async for msg in ws:
            await ws.send(msg)
    elif route == "/lastclose":
        key = query.get("id", "")
        try:
            await asyncio.wait_for(close_event(key).wait(), 10)
            code, reason = closes[key]
            await ws.send(f"close:{code}:{reason}")
        except asyncio.TimeoutError:
            await ws.send("close:none")
        async for _ in ws:
            pass
    else:
        await ws.close(4404, "unknown path")


def exit_on_stdin_eof():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


async def main():
    threading.Thread(target=exit_on_stdin_eof, daemon=True).start()
    async with websockets.serve(
        handler,
        "127.0.0.1",
        0,
        create_protocol=Protocol,
        process_request=process_request,
        subprotocols=SUPPORTED,
        max_size=64 << 20,
        extensions=[ServerPerMessageDeflateFactory()],
        compression=None,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
