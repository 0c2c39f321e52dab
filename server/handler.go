package server

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// NewHandler returns an http.Handler with the behaviours of the package
// documentation, for mounting on an httptest.Server or a mux of one's own.
// logf receives one line per connection and per behaviour, prefixed with
// the connection's number ("#3 ..."); it may be called concurrently; nil
// means silent.
//
// An http.Server does not track the connections a handler takes over, so
// the returned handler also implements io.Closer: Close cuts every
// connection it has upgraded or is holding for hang=1, ends pending delays,
// waits until all of its ServeHTTP calls have returned, and answers later
// requests with 503. Server.Close does this itself.
func NewHandler(logf func(format string, args ...any)) http.Handler {
	return newHandler(logf, messageFlow{})
}

// handler serves every request; one handler backs one Server.
type handler struct {
	logf   func(format string, args ...any)
	flow   messageFlow     // Options.LogMessages and Replies
	ctx    context.Context // cancelled by Close: ends delays and sessions
	cancel context.CancelFunc
	nextID atomic.Uint64

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{} // taken-over connections, cut by Close
	calls  sync.WaitGroup        // ServeHTTP calls in progress
	draws  map[drawKey]uint64    // connections so far per seeded behaviour
}

// drawKey names one seeded behaviour's seed: chaos= and closemix= count
// their connections apart.
type drawKey struct {
	what string
	seed uint64
}

// maxDraws bounds the seeds remembered; past it counting starts over.
const maxDraws = 4096

// draw returns the random source of the next connection asking for
// behaviour what with seed: PCG(seed, k) for its k-th such connection,
// from 0. A client reconnecting with one seed thus meets a new draw each
// time, and a fresh server repeats the sequence.
func (h *handler) draw(what string, seed uint64) *rand.Rand {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.draws) >= maxDraws {
		clear(h.draws)
	}
	k := h.draws[drawKey{what, seed}]
	h.draws[drawKey{what, seed}] = k + 1
	return rand.New(rand.NewPCG(seed, k))
}

func newHandler(logf func(format string, args ...any), flow messageFlow) *handler {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &handler{logf: logf, flow: flow, ctx: ctx, cancel: cancel, conns: map[net.Conn]struct{}{}, draws: map[drawKey]uint64{}}
}

// logFunc logs one line about one connection.
type logFunc func(format string, args ...any)

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.enter() {
		http.Error(w, "unisocket test server: shutting down", http.StatusServiceUnavailable)
		return
	}
	defer h.calls.Done()

	id := h.nextID.Add(1)
	log := logFunc(func(format string, args ...any) {
		h.logf("#%d "+format, append([]any{id}, args...)...)
	})
	log("%s %s from %s", r.Method, r.URL.RequestURI(), r.RemoteAddr)

	b, err := parseBehaviour(r.URL.Query())
	if err != nil {
		log("answered 400: %v", err)
		http.Error(w, "unisocket test server: "+err.Error(), http.StatusBadRequest)
		return
	}
	if b.hang {
		h.hang(w, log)
		return
	}
	if b.delay > 0 {
		log("delay=%v: waiting before answering", b.delay)
		if !h.sleep(r.Context(), b.delay) {
			log("delay=%v: cut short (client gone or server closing)", b.delay)
			return
		}
	}
	switch {
	case b.redirect != "":
		code := http.StatusFound
		if b.status != 0 {
			code = b.status
		}
		log("redirect=%s: answered %d", b.redirect, code)
		w.Header().Set("Location", b.redirect)
		http.Error(w, fmt.Sprintf("unisocket test server: redirect=%s", b.redirect), code)
	case b.status != 0:
		log("status=%d: rejected the handshake", b.status)
		http.Error(w, fmt.Sprintf("unisocket test server: status=%d", b.status), b.status)
	case !isUpgrade(r):
		log("not a WebSocket handshake: answered 426 with the behaviour list")
		w.Header().Set("Upgrade", "websocket")
		http.Error(w, helpText(), http.StatusUpgradeRequired)
	default:
		h.session(w, r, b, log)
	}
}

// enter registers a ServeHTTP call, unless Close has begun.
func (h *handler) enter() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.calls.Add(1)
	return true
}

// track registers a connection taken over from net/http so that Close can
// cut it. When Close has already run it closes c at once and reports false.
func (h *handler) track(c net.Conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		_ = c.Close()
		return false
	}
	h.conns[c] = struct{}{}
	return true
}

func (h *handler) untrack(c net.Conn) {
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
}

// Close cuts every connection the handler has taken over, ends pending
// delays and waits for every ServeHTTP call to return. It may be called
// more than once.
func (h *handler) Close() error {
	h.mu.Lock()
	h.closed = true
	conns := h.conns
	h.conns = map[net.Conn]struct{}{}
	h.mu.Unlock()

	h.cancel()
	for c := range conns {
		_ = c.Close()
	}
	h.calls.Wait()
	return nil
}

// sleep waits for d, and reports false if the client or the server gave up
// first.
func (h *handler) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-h.ctx.Done():
		return false
	}
}

// hang takes the connection over from net/http and never answers: the
// client sees a handshake that does not end. The connection is held until
// the client goes away or Close cuts it.
func (h *handler) hang(w http.ResponseWriter, log logFunc) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		log("hang=1: cannot take the connection over: %v", err)
		http.Error(w, "unisocket test server: hang=1 needs an HTTP/1.1 connection", http.StatusHTTPVersionNotSupported)
		return
	}
	if !h.track(conn) {
		return
	}
	defer h.untrack(conn)
	log("hang=1: holding the connection without answering")
	// Whatever the client sends is ignored; the read ends when the client
	// closes the connection or Close closes it.
	_, err = io.Copy(io.Discard, conn)
	_ = conn.Close()
	if err != nil && h.ctx.Err() == nil {
		log("hang=1: connection ended: %v", err)
	} else {
		log("hang=1: connection ended")
	}
}

// isUpgrade reports whether r asks for a WebSocket upgrade. Requests that
// do not are answered with the list of behaviours, which is what someone
// who opens the server's URL in a browser wants to see.
func isUpgrade(r *http.Request) bool {
	for _, v := range r.Header.Values("Upgrade") {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "websocket") {
				return true
			}
		}
	}
	return false
}

// helpText is the answer to a request that is not a WebSocket handshake.
func helpText() string {
	return "unisocket test server: this URL speaks WebSocket; connect with a WebSocket client.\n" +
		"Every path echoes messages; query parameters choose other behaviours and combine:\n\n" +
		BehaviourTable()
}
