//go:build interop

package interop

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// gorillaPeer is the third peer: a server written with
// github.com/gorilla/websocket, in this process, on 127.0.0.1. It mirrors
// testdata/node/server.js path for path:
//
//	/echo          echo every message back, text as text, binary as binary
//	               (?id=X: remember the client's close frame for /lastclose)
//	/subprotocol   confirm the first requested subprotocol that is chat.v1 or
//	               chat.v2 (none otherwise), then send "subprotocol:<chosen>"
//	/close         close at once with ?code=&reason=
//	/ping          ping with a fresh payload; "pong:<payload>:ok" once the
//	               pong comes back with it, "pong:<payload>:mismatch:<got>"
//	               for another payload, "pong:<payload>:missing" if none
//	               does within 10 s
//	/deflate       send "extensions:<negotiated extension names>", then echo
//	/reject        refuse the handshake with HTTP 403
//	/lastclose     ?id=X: wait (10 s at most) for the close frame of the
//	               /echo?id=X connection and send "close:<code>:<reason>"
//
// Only /deflate enables compression (Upgrader.EnableCompression), so the
// other features test plain frames. gorilla negotiates permessage-deflate
// only without context takeover (it answers server_no_context_takeover;
// client_no_context_takeover), which the permessage-deflate row reports.
type gorillaPeer struct {
	srv *httptest.Server

	mu     sync.Mutex
	conns  map[*websocket.Conn]bool // live connections, closed by Close
	closed bool
	done   chan struct{}  // closed by Close: waits end
	wg     sync.WaitGroup // handlers, hijacked ones included

	closes  map[string]string        // id -> "close:<code>:<reason>"
	waiters map[string]chan struct{} // id -> closed once closes[id] is set
}

// gorillaSubprotocols are the subprotocols the peer accepts, as the others.
var gorillaSubprotocols = []string{"chat.v1", "chat.v2"}

func startGorilla() *gorillaPeer {
	p := &gorillaPeer{
		conns:   map[*websocket.Conn]bool{},
		done:    make(chan struct{}),
		closes:  map[string]string{},
		waiters: map[string]chan struct{}{},
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve)) // listens on 127.0.0.1
	return p
}

// URL is the peer's base URL, ws://127.0.0.1:port.
func (p *gorillaPeer) URL() string { return "ws" + strings.TrimPrefix(p.srv.URL, "http") }

// Close stops the server, closes the connections its handlers hijacked
// (httptest no longer tracks those) and waits for every handler to return.
func (p *gorillaPeer) Close() {
	p.srv.Close() // after this no handler starts
	p.mu.Lock()
	p.closed = true
	close(p.done)
	for c := range p.conns {
		_ = c.NetConn().Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// track registers a live connection; false if the peer is closing (the
// connection is then closed).
func (p *gorillaPeer) track(c *websocket.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = c.NetConn().Close()
		return false
	}
	p.conns[c] = true
	return true
}

func (p *gorillaPeer) untrack(c *websocket.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}

func (p *gorillaPeer) serve(w http.ResponseWriter, r *http.Request) {
	p.wg.Add(1)
	defer p.wg.Done()
	if r.URL.Path == "/reject" {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	// Upgrader.Subprotocols is left nil so that the pick is ours and
	// mirrors the other peers: the first requested one that is supported
	// (gorilla's own pick goes by the server's order).
	up := websocket.Upgrader{EnableCompression: r.URL.Path == "/deflate"}
	resp := http.Header{}
	for _, sp := range websocket.Subprotocols(r) {
		if slices.Contains(gorillaSubprotocols, sp) {
			resp.Set("Sec-WebSocket-Protocol", sp)
			break
		}
	}
	// gorilla does not say whether it negotiated compression; the
	// handshake it writes on the hijacked connection does.
	hw := &handshakeRecorder{ResponseWriter: w}
	c, err := up.Upgrade(hw, r, resp)
	if err != nil {
		return // Upgrade has answered with an HTTP error
	}
	if !p.track(c) {
		return
	}
	defer p.untrack(c)
	q := r.URL.Query()
	switch r.URL.Path {
	case "/echo":
		err := echo(c)
		if id := q.Get("id"); id != "" {
			// The close frame the client sent: code and reason, as received.
			code, reason := 0, "none: "+err.Error()
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				code, reason = ce.Code, ce.Text
			}
			p.recordClose(id, fmt.Sprintf("close:%d:%s", code, reason))
		}
	case "/subprotocol":
		if c.WriteMessage(websocket.TextMessage, []byte("subprotocol:"+c.Subprotocol())) == nil {
			_ = echo(c)
		}
	case "/close":
		code, err := strconv.Atoi(q.Get("code"))
		if err != nil {
			code = websocket.CloseNormalClosure
		}
		msg := websocket.FormatCloseMessage(code, q.Get("reason"))
		if c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(safety)) == nil {
			drain(c) // until the client's close frame (or the connection's end)
		}
	case "/ping":
		p.ping(c)
	case "/deflate":
		var names []string
		for ext := range strings.SplitSeq(hw.header().Get("Sec-WebSocket-Extensions"), ",") {
			if name, _, _ := strings.Cut(ext, ";"); strings.TrimSpace(name) != "" {
				names = append(names, strings.TrimSpace(name))
			}
		}
		if c.WriteMessage(websocket.TextMessage, []byte("extensions:"+strings.Join(names, ","))) == nil {
			_ = echo(c)
		}
	case "/lastclose":
		id := q.Get("id")
		report := "close:none"
		select {
		case <-p.waiter(id):
			p.mu.Lock()
			report = p.closes[id]
			p.mu.Unlock()
		case <-time.After(10 * time.Second): // a safety net, as in the other peers
		case <-p.done:
			return
		}
		if c.WriteMessage(websocket.TextMessage, []byte(report)) == nil {
			drain(c)
		}
	default:
		msg := websocket.FormatCloseMessage(4404, "unknown path")
		if c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(safety)) == nil {
			drain(c)
		}
	}
}

// echo sends every message back as it came until reading fails, and
// returns that error (a *websocket.CloseError for a close frame, which
// gorilla has answered with the same code).
func echo(c *websocket.Conn) error {
	for {
		mt, msg, err := c.ReadMessage()
		if err != nil {
			return err
		}
		if err := c.WriteMessage(mt, msg); err != nil {
			return err
		}
	}
}

// drain reads (which answers pings and close frames) until reading fails.
func drain(c *websocket.Conn) {
	for {
		if _, _, err := c.NextReader(); err != nil {
			return
		}
	}
}

// ping pings with a fresh payload and reports the pong, as the Node peer.
// gorilla calls the pong handler from the reading goroutine, and the
// timer's report may race it: writes go through one lock, and only the
// first report is sent.
func (p *gorillaPeer) ping(c *websocket.Conn) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	payload := "ping-" + hex.EncodeToString(b)
	var (
		mu       sync.Mutex
		reported bool
	)
	report := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		if !reported {
			reported = true
			_ = c.WriteMessage(websocket.TextMessage, []byte(s))
		}
	}
	c.SetPongHandler(func(got string) error {
		if got == payload {
			report("pong:" + payload + ":ok")
		} else {
			report("pong:" + payload + ":mismatch:" + got)
		}
		return nil
	})
	missing := time.AfterFunc(10*time.Second, func() { report("pong:" + payload + ":missing") })
	defer missing.Stop()
	if c.WriteControl(websocket.PingMessage, []byte(payload), time.Now().Add(safety)) == nil {
		drain(c)
	}
	mu.Lock() // a report the timer is writing ends before the connection closes
	reported = true
	mu.Unlock()
}

func (p *gorillaPeer) recordClose(id, report string) {
	ch := p.waiter(id)
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.closes[id]; !ok {
		p.closes[id] = report
		close(ch)
	}
}

func (p *gorillaPeer) waiter(id string) chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := p.waiters[id]
	if ch == nil {
		ch = make(chan struct{})
		p.waiters[id] = ch
	}
	return ch
}

// handshakeRecorder hands gorilla a hijacked connection that keeps the
// handshake response gorilla writes on it.
type handshakeRecorder struct {
	http.ResponseWriter
	conn *recordingConn
}

func (h *handshakeRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the ResponseWriter cannot be hijacked")
	}
	c, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.conn = &recordingConn{Conn: c}
	return h.conn, brw, nil
}

// header parses the recorded handshake response's header.
func (h *handshakeRecorder) header() http.Header {
	if h.conn == nil {
		return nil
	}
	h.conn.mu.Lock()
	raw := h.conn.head.Bytes()
	h.conn.mu.Unlock()
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	if err != nil {
		return nil
	}
	return resp.Header
}

// recordingConn keeps what is written on it up to the end of the first
// HTTP header (the handshake response).
type recordingConn struct {
	net.Conn
	mu   sync.Mutex
	head bytes.Buffer
	full bool
}

func (c *recordingConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	if !c.full {
		c.head.Write(b)
		if i := bytes.Index(c.head.Bytes(), []byte("\r\n\r\n")); i >= 0 {
			c.head.Truncate(i + 4)
			c.full = true
		}
	}
	c.mu.Unlock()
	return c.Conn.Write(b)
}
