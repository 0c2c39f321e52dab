package uni_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// peer is an independent WebSocket server for the tests, written with
// gorilla/websocket so that package uni is checked against code it does not
// share. Its behaviour is chosen by query parameters:
//
//	close=CODE&reason=R  close with CODE and R after `after` echoes
//	emptyclose=1         close with an empty close frame after `after` echoes
//	drop=1               cut TCP after `after` echoes
//	status=N             refuse the handshake with status N
//	redirect=URL         answer 302 to URL
//	proto=NAME|none      confirm NAME (default: the first one requested)
//	inspect=1            first message: JSON of method, header, path
//	badutf8=1            send a text message that is not UTF-8
//	send=N&size=B        send N binary messages of B bytes after open
//	noecho=1             read but do not echo
//	deaf=1               never read again: a close frame gets no answer
//	mute=1               never read at all, until the test ends: TCP fills up
type peer struct {
	quit chan struct{} // closed at cleanup
	*httptest.Server
	mu      sync.Mutex
	seen    []peerEvent
	open    map[*websocket.Conn]bool // cut at cleanup, so no handler outlives the test
	changed chan struct{}
	conns   sync.WaitGroup
}

type peerEvent struct {
	Kind   string // "close" when the client's close frame arrived
	Code   int
	Reason string
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	p := &peer{changed: make(chan struct{}, 1), open: map[*websocket.Conn]bool{}, quit: make(chan struct{})}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(func() {
		close(p.quit)
		p.Server.CloseClientConnections()
		p.Server.Close()
		p.mu.Lock()
		for c := range p.open {
			_ = c.NetConn().Close()
		}
		p.mu.Unlock()
		p.conns.Wait()
	})
	return p
}

// url returns the ws:// URL of the peer with the given query.
func (p *peer) url(query string) string {
	u := "ws" + strings.TrimPrefix(p.Server.URL, "http") + "/"
	if query != "" {
		u += "?" + query
	}
	return u
}

func (p *peer) events() []peerEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]peerEvent(nil), p.seen...)
}

func (p *peer) record(e peerEvent) {
	p.mu.Lock()
	p.seen = append(p.seen, e)
	p.mu.Unlock()
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

// waitClose waits for the client's close frame and returns it.
func (p *peer) waitClose(t *testing.T) peerEvent {
	t.Helper()
	for n := 1; ; n++ {
		ev := p.waitEvents(t, n)
		for _, e := range ev {
			if e.Kind == "close" {
				return e
			}
		}
	}
}

// waitEvents waits until the peer recorded n events and returns them.
func (p *peer) waitEvents(t *testing.T, n int) []peerEvent {
	t.Helper()
	deadline := time.After(safetyNet)
	for {
		if ev := p.events(); len(ev) >= n {
			return ev
		}
		select {
		case <-p.changed:
		case <-deadline:
			t.Fatalf("peer recorded %v, want %d events", p.events(), n)
		}
	}
}

func (p *peer) serve(w http.ResponseWriter, r *http.Request) {
	// Counted before the upgrade: httptest's Close waits for handlers only
	// until they hijack the connection.
	p.conns.Add(1)
	defer p.conns.Done()
	q := r.URL.Query()
	if s := q.Get("status"); s != "" {
		code, _ := strconv.Atoi(s)
		http.Error(w, "refused by test peer", code)
		return
	}
	if loc := q.Get("redirect"); loc != "" {
		http.Redirect(w, r, loc, http.StatusFound)
		return
	}
	method := r.Method
	r.Method = http.MethodGet // gorilla accepts only GET; uni may send others
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	requested := websocket.Subprotocols(r)
	var respHeader http.Header
	switch proto := q.Get("proto"); {
	case proto == "none":
	case proto != "":
		respHeader = http.Header{"Sec-Websocket-Protocol": {proto}}
	case len(requested) > 0:
		respHeader = http.Header{"Sec-Websocket-Protocol": {requested[0]}}
	}
	respHeader = addHeader(respHeader, "X-Peer", "gorilla")
	c, err := up.Upgrade(w, r, respHeader)
	if err != nil {
		return
	}
	defer c.Close()
	p.mu.Lock()
	p.open[c] = true
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.open, c)
		p.mu.Unlock()
	}()
	c.SetReadLimit(64 << 20)

	if q.Get("mute") == "1" {
		<-p.quit
		return
	}
	if q.Get("deaf") == "1" {
		_, _ = io.Copy(io.Discard, c.UnderlyingConn()) // until the client cuts TCP
		return
	}
	if q.Get("inspect") == "1" {
		b, _ := json.Marshal(map[string]any{"method": method, "header": r.Header, "path": r.URL.Path})
		_ = c.WriteMessage(websocket.TextMessage, b)
	}
	if q.Get("badutf8") == "1" {
		_ = c.WriteMessage(websocket.TextMessage, []byte{'o', 'k', 0xff, 0xfe})
	}
	if n, _ := strconv.Atoi(q.Get("send")); n > 0 {
		size, _ := strconv.Atoi(q.Get("size"))
		for i := 0; i < n; i++ {
			if err := c.WriteMessage(websocket.BinaryMessage, make([]byte, size)); err != nil {
				return
			}
		}
		p.record(peerEvent{Kind: "sent"})
	}
	after, _ := strconv.Atoi(q.Get("after"))
	finish := func() bool {
		switch {
		case q.Get("close") != "":
			code, _ := strconv.Atoi(q.Get("close"))
			msg := websocket.FormatCloseMessage(code, q.Get("reason"))
			_ = c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			p.drainUntilClose(c)
			return true
		case q.Get("emptyclose") == "1":
			_ = c.WriteControl(websocket.CloseMessage, []byte{}, time.Now().Add(time.Second))
			p.drainUntilClose(c)
			return true
		case q.Get("drop") == "1":
			_ = c.UnderlyingConn().(*net.TCPConn).SetLinger(0)
			_ = c.UnderlyingConn().Close()
			return true
		}
		return false
	}
	if after == 0 && finish() {
		return
	}
	for echoed := 0; ; {
		typ, data, err := c.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				p.record(peerEvent{Kind: "close", Code: ce.Code, Reason: ce.Text})
			}
			return
		}
		if q.Get("noecho") != "1" {
			if err := c.WriteMessage(typ, data); err != nil {
				return
			}
		}
		echoed++
		if echoed == after && finish() {
			return
		}
	}
}

// drainUntilClose reads until the client's close frame (or an error).
func (p *peer) drainUntilClose(c *websocket.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				p.record(peerEvent{Kind: "close", Code: ce.Code, Reason: ce.Text})
			}
			return
		}
	}
}

func addHeader(h http.Header, k, v string) http.Header {
	if h == nil {
		h = http.Header{}
	}
	h.Set(k, v)
	return h
}
