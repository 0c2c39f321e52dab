package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// HandshakeRequest is the JSON document that inspect=1 sends as the first
// message: what the server saw of the handshake request.
type HandshakeRequest struct {
	// Method is the request's method as the client sent it, e.g. "POST".
	Method string `json:"method"`
	// Path is the request's path, escaped as on the wire.
	Path string `json:"path"`
	// Query is the raw query string, without "?".
	Query string `json:"query"`
	// Host is the Host header.
	Host string `json:"host"`
	// Header holds every other request header, names in canonical form.
	Header http.Header `json:"header"`
	// Subprotocols lists the subprotocols the client requested, in order;
	// it is empty, not null, when there were none.
	Subprotocols []string `json:"subprotocols"`
}

// session upgrades the connection and plays the behaviour b on it.
func (h *handler) session(w http.ResponseWriter, r *http.Request, b behaviour, log logFunc) {
	info := HandshakeRequest{
		Method:       r.Method,
		Path:         r.URL.EscapedPath(),
		Query:        r.URL.RawQuery,
		Host:         r.Host,
		Header:       r.Header,
		Subprotocols: requestedProtocols(r.Header),
	}
	if r.Method != http.MethodGet {
		// coder/websocket's Accept answers 405 to anything but GET, while
		// uni-app's WeChat method option sends e.g. POST and real servers
		// may accept it. The method only matters for inspect=1.
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}

	opts := &websocket.AcceptOptions{
		InsecureSkipVerify: true, // a test server accepts any Origin
		OnPingReceived: func(_ context.Context, p []byte) bool {
			log("ping %q received", p)
			return true // answer it
		},
		OnPongReceived: func(_ context.Context, p []byte) {
			log("pong %q received", p)
		},
	}
	switch b.protocolMode {
	case protocolFirstRequested:
		if len(info.Subprotocols) > 0 {
			opts.Subprotocols = info.Subprotocols[:1]
		}
	case protocolForced:
		// Accept only confirms a subprotocol the client requested. Given
		// none to choose from, it leaves this header alone and the Conn
		// reports it as negotiated.
		w.Header().Set("Sec-WebSocket-Protocol", b.protocol)
	}
	if b.compress {
		opts.CompressionMode = websocket.CompressionContextTakeover
	}

	tw := &takeoverWriter{ResponseWriter: w, h: h, trickle: b.trickle, ctx: r.Context(), log: log}
	c, err := websocket.Accept(tw, r, opts)
	if tw.conn != nil {
		defer h.untrack(tw.conn)
	}
	if err != nil {
		log("handshake failed: %v", err)
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(ReadLimit)
	log("open: subprotocol %q, extensions %q", c.Subprotocol(), w.Header().Get("Sec-WebSocket-Extensions"))

	ctx := h.ctx
	if b.ping {
		if err := writePing(tw.conn, b.pingMsg); err != nil {
			log("ping=%q: %v", b.pingMsg, err)
			return
		}
		log("ping=%q: ping sent", b.pingMsg)
	}
	if b.inspect {
		doc, err := json.Marshal(info)
		if err == nil {
			err = c.Write(ctx, websocket.MessageText, doc)
		}
		if err != nil {
			log("inspect=1: %v", err)
			return
		}
		log("inspect=1: handshake description sent")
	}
	var chaos *rand.Rand
	if b.chaos {
		chaos = h.draw("chaos", b.chaosSeed)
	}
	if b.closemix {
		mix := closeMix()
		b.close, b.code = true, mix[h.draw("closemix", b.closemixSeed).IntN(len(mix))]
		b.reason = fmt.Sprintf("closemix seed %d", b.closemixSeed)
		log("closemix=seed:%d: picked %d", b.closemixSeed, int(b.code))
	}
	typ := websocket.MessageText
	if b.binary {
		typ = websocket.MessageBinary
	}
	for k := 1; k <= b.send; k++ {
		if err := c.Write(ctx, typ, b.message(k)); err != nil {
			log("send=%d: message %d: %v", b.send, k, err)
			return
		}
	}
	if b.send > 0 {
		log("send=%d: sent %d %s messages", b.send, b.send, typeName(typ))
	}

	if b.slow > 0 {
		log("slow=%v: waiting before reading each message", b.slow)
	}
	for echoed := 0; ; echoed++ {
		if echoed == b.after && b.ends() {
			h.end(c, tw.conn, b, echoed, log)
			return
		}
		if b.slow > 0 && !h.sleep(ctx, b.slow) {
			log("cut: the server is closing")
			return
		}
		mt, p, err := c.Read(ctx)
		if err != nil {
			h.logEnd(err, echoed, log)
			return
		}
		if chaos != nil && chaos.Float64() < b.chaosDrop {
			log("chaos: dropping on client message %d", echoed+1)
			h.end(c, tw.conn, behaviour{drop: true}, echoed, log)
			return
		}
		mt, p = h.flow.answer(mt, p, log)
		if b.binary {
			mt = websocket.MessageBinary
		}
		if err := c.Write(ctx, mt, p); err != nil {
			h.logEnd(err, echoed, log)
			return
		}
	}
}

// dropDrainTimeout bounds how long drop=1 reads what the client still
// sends after the server's FIN, for a client that never closes its side.
const dropDrainTimeout = 10 * time.Second

// end ends the session as close=, drop=, reset= or stall= asks. conn is
// the connection c runs on.
func (h *handler) end(c *websocket.Conn, conn net.Conn, b behaviour, echoed int, log logFunc) {
	switch {
	case b.drop:
		// A FIN, then whatever the client still sends is read and
		// ignored: closing with unread input would send a reset instead,
		// and a reset makes the client's kernel discard echoes it has
		// received but not yet read (reset=1 is that case).
		if cw, ok := conn.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
			log("drop=1: cut the TCP connection after %d echoed messages", echoed)
			_ = conn.SetReadDeadline(time.Now().Add(dropDrainTimeout))
			_, _ = io.Copy(io.Discard, conn)
			_ = c.CloseNow()
			return
		}
		_ = c.CloseNow()
		log("drop=1: cut the TCP connection after %d echoed messages", echoed)
		return
	case b.reset:
		if !setLingerZero(conn) {
			_ = c.CloseNow()
			log("reset=1: not a TCP connection, cut it without a reset after %d echoed messages", echoed)
			return
		}
		_ = c.CloseNow()
		log("reset=1: reset the TCP connection after %d echoed messages", echoed)
		return
	case b.stall:
		log("stall=1: stopped reading and answering after %d echoed messages", echoed)
		// Whatever the client sends (messages, its close frame) is read
		// and ignored, so the client's writes never block on a full TCP
		// window and the session ends when the client cuts the connection
		// or Close does.
		_, _ = io.Copy(io.Discard, conn)
		if h.ctx.Err() != nil {
			log("cut: the server is closing")
		} else {
			log("stall=1: the client went away")
		}
		return
	}
	what := fmt.Sprintf("close=%d", int(b.code))
	if b.code == websocket.StatusNoStatusRcvd {
		// coder/websocket sends a close frame without payload for this code.
		what = "close=empty"
	}
	// Close waits for the client's close frame, so the log line tells
	// whether the client completed the handshake.
	if err := c.Close(b.code, b.reason); err != nil {
		log("%s: sent after %d echoed messages, reason %q; the close handshake did not complete: %v", what, echoed, b.reason, err)
		return
	}
	log("%s: closed after %d echoed messages, reason %q", what, echoed, b.reason)
}

// logEnd reports why a connection ended while echoing.
func (h *handler) logEnd(err error, echoed int, log logFunc) {
	var ce websocket.CloseError
	switch {
	case errors.As(err, &ce):
		log("closed by the client with %d %q after %d echoed messages", int(ce.Code), ce.Reason, echoed)
	case h.ctx.Err() != nil:
		log("cut: the server is closing")
	default:
		log("connection lost after %d echoed messages: %v", echoed, err)
	}
}

func typeName(t websocket.MessageType) string {
	if t == websocket.MessageBinary {
		return "binary"
	}
	return "text"
}

// requestedProtocols lists the subprotocols in the request's
// Sec-WebSocket-Protocol headers, in order.
func requestedProtocols(hd http.Header) []string {
	protos := []string{}
	for _, v := range hd.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				protos = append(protos, p)
			}
		}
	}
	return protos
}

// writePing sends a ping frame with payload p (at most 125 bytes) straight
// to the connection. coder/websocket only sends pings with a payload of its
// own choosing, so the frame is written here; this happens before the Conn
// writes anything and before it reads (the only time it answers pings
// itself), so the two writers never interleave.
func writePing(conn net.Conn, p string) error {
	frame := make([]byte, 0, 2+len(p))
	// FIN and opcode 0x9 (ping); a server's frames are not masked.
	frame = append(frame, 0x89, byte(len(p)))
	frame = append(frame, p...)
	_, err := conn.Write(frame)
	return err
}

// setLingerZero makes closing conn reset the TCP connection (RST) instead
// of ending it with FIN. It reports false when conn is not a TCP
// connection, under TLS or not.
func setLingerZero(conn net.Conn) bool {
	if tc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		conn = tc.NetConn()
	}
	tcp, ok := conn.(*net.TCPConn)
	return ok && tcp.SetLinger(0) == nil
}

// takeoverWriter is the http.ResponseWriter given to websocket.Accept. It
// records the connection Accept takes over, so that Close can cut it and
// ping= can write to it.
type takeoverWriter struct {
	http.ResponseWriter
	h    *handler
	conn net.Conn

	// With trickle, WriteHeader(101) takes the connection over itself
	// and writes the response slowly; Hijack then hands on what it got.
	trickle time.Duration
	ctx     context.Context
	log     logFunc
	brw     *bufio.ReadWriter
	err     error
}

// WriteHeader writes the 101 response one byte per trickle interval when
// trickle= asks for it, else leaves it to net/http.
func (tw *takeoverWriter) WriteHeader(code int) {
	if tw.trickle <= 0 || code != http.StatusSwitchingProtocols {
		tw.ResponseWriter.WriteHeader(code)
		return
	}
	var conn net.Conn
	if conn, tw.brw, tw.err = tw.hijack(); tw.err != nil {
		return
	}
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 101 Switching Protocols\r\n")
	_ = tw.Header().Write(&head)
	head.WriteString("\r\n")
	tw.log("trickle=%v: writing the %d-byte 101 response one byte at a time", tw.trickle, head.Len())
	for i, c := range head.Bytes() {
		if i > 0 && !tw.h.sleep(tw.ctx, tw.trickle) {
			tw.err = fmt.Errorf("trickle=%v: cut after %d bytes (client gone or server closing)", tw.trickle, i)
			return
		}
		if _, err := conn.Write([]byte{c}); err != nil {
			tw.err = fmt.Errorf("trickle=%v: %w", tw.trickle, err)
			return
		}
	}
}

// Hijack takes the connection over from net/http and registers it with the
// handler. If the handler is closing the connection is already closed, and
// the Conn built on it fails at its first use.
func (tw *takeoverWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if tw.brw != nil || tw.err != nil {
		return tw.conn, tw.brw, tw.err // WriteHeader took it over
	}
	return tw.hijack()
}

func (tw *takeoverWriter) hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(tw.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	tw.conn = conn
	tw.h.track(conn)
	return conn, brw, nil
}

// Unwrap lets http.ResponseController reach the original writer.
func (tw *takeoverWriter) Unwrap() http.ResponseWriter { return tw.ResponseWriter }
