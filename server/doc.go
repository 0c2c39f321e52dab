// Package server is unisocket's embedded WebSocket test server: an echo
// server whose behaviour each client chooses with query parameters, served
// as ws:// or as wss:// with a fresh self-signed certificate.
//
// It backs the project's tests, `unisocket serve`, `unisocket demo` and
// `unisocket connect` without a URL. Start runs a server on a free loopback
// port; NewHandler gives the same behaviours as an http.Handler.
//
//	srv, err := server.Start(server.Options{})
//	if err != nil { ... }
//	defer srv.Close()
//	c, _, err := websocket.Dial(ctx, srv.URL()+"/chat?close=4000&reason=bye&after=1", nil)
//
// # Behaviours
//
// Every path behaves the same; the query chooses the behaviour, and
// parameters combine. Without any, the server echoes every data message
// with its type (text as text, binary as binary) until the client closes.
//
//	parameter           behaviour
//	status=CODE         reject the handshake with HTTP status CODE (200-599)
//	                    and a short text body naming the behaviour
//	redirect=URL        answer 302 with Location: URL (status=3xx picks
//	                    another code); clients must not follow it
//	delay=DURATION      wait before answering the handshake, in Go's
//	                    duration syntax (300ms, 2s); a bare number is
//	                    milliseconds
//	protocol=NAME       confirm subprotocol NAME even if the client did not
//	                    request it (clients must then fail)
//	protocol=none       confirm no subprotocol; without protocol= the
//	                    server confirms the first one the client requested
//	send=N              right after opening, send N messages:
//	                    "message 1", "message 2"...
//	size=BYTES          make each sent message BYTES long ("message K "
//	                    repeated and cut)
//	binary=1            send=N sends binary messages, and text messages
//	                    are echoed as binary
//	close=CODE          close with CODE (1000-1003, 1007-1014, 3000-4999)
//	reason=TEXT         ... and this reason, at most 123 bytes
//	close=empty         send a close frame without payload, which the
//	                    client reports as 1005
//	after=N             close, drop, reset or stall after echoing N
//	                    messages; default 0: right after opening and
//	                    after send=N
//	drop=1              cut the TCP connection without a close frame
//	                    (clients report 1006)
//	reset=1             reset the TCP connection (RST, with SO_LINGER 0)
//	                    without a close frame (clients report 1006)
//	stall=1             stop reading and answering: the connection stays
//	                    open and silent (what the client sends, its close
//	                    frame included, is read and ignored) until the
//	                    client cuts it
//	slow=DURATION       a slow reader: wait DURATION before reading each
//	                    client message, so the client's writes back up
//	inspect=1           first send a JSON HandshakeRequest describing the
//	                    handshake request (method, path, query, host,
//	                    header, subprotocols), then echo
//	hang=1              read the handshake request and never answer; the
//	                    connection is held until the client goes away
//	compress=1          accept permessage-deflate
//	ping=DATA           right after opening, send a ping with payload DATA
//	                    (at most 125 bytes); the client's pong is logged
//	chaos=seed:N,drop:P on each client message, cut the TCP connection
//	                    without a close frame with probability P (from 0
//	                    to 1), before echoing it; the seed N (default 1)
//	                    decides which: the k-th connection asking for seed
//	                    N draws from PCG(N, k), k from 0, so a reconnecting
//	                    client meets a new draw and a fresh server repeats
//	                    the sequence
//	closemix=seed:N     close as close= does, with a code picked for each
//	                    connection (drawn as chaos= draws) among 1000-1003,
//	                    1007-1009, 1011-1014, 3000, 4000 and 4999, and the
//	                    reason "closemix seed N"; after=N counts
//	trickle=DURATION    write the 101 response (status line and header)
//	                    one byte per DURATION, so the client's handshake
//	                    timeout can fire mid-response
//
// The steps run in this order: hang, delay, then redirect or status (or,
// for a request that is not a WebSocket handshake, 426 with this table),
// then the upgrade; once open: ping, inspect, send, then echo, with close,
// drop, reset or stall after N echoed messages. hang ignores every other
// parameter. Asking for more than one of close=, closemix=, drop=1,
// reset=1 and stall=1 is an error. A malformed value is answered
// with 400 and a body naming the parameter; unknown parameters are
// ignored. Behaviours returns this table as data.
//
// # Restarts
//
// Server.Restart plays a server restart, which no query can ask for: it
// cuts every connection without a close frame, refuses new ones (the
// port is closed) for a while, then accepts again on the same address.
// `unisocket serve --restart-every D --refuse-for D` restarts on a
// schedule.
//
// # Logging and scripted replies
//
// Options.Logf receives a line per connection and behaviour; with
// Options.LogMessages also one per message a client sends, with its type,
// size and first LogPayloadMax (64) bytes: text quoted, binary in hex.
// Options.Replies answers a text message equal to one of its keys with the
// key's value instead of the echo, as `unisocket serve --reply
// 'ping=pong'` does.
//
// # Conformance notes
//
// The server accepts any Origin and a handshake with any HTTP method
// (uni-app's WeChat method option can send POST; inspect=1 reports the
// method the client used). It accepts messages up to ReadLimit (64 MiB),
// not coder/websocket's 32 KiB default, and serves HTTP/1.1 only.
//
// Close cuts every connection, including those held by hang=1, and waits
// for every goroutine the server started, so tests can use
// go.uber.org/goleak.
package server
