package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	coder "github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"

	"github.com/unisocket/unisocket/uni"
)

// The clients, in the order of the tables' columns.
const (
	cTCP     = "tcp"     // raw TCP ping-pong: the floor
	cCoder   = "coder"   // raw github.com/coder/websocket
	cGorilla = "gorilla" // github.com/gorilla/websocket
	cGws     = "gws"     // github.com/lxzan/gws
	cUni     = "uni"     // unisocket's Go API: Dial, Write, Receive
	cUniCB   = "uni-cb"  // unisocket's Go API: ConnectSocket, OnMessage listener, Write
	cJS      = "js"      // unisocket's JavaScript runtime (package js)
	cNode    = "node"    // Node's ws
)

var allClients = []string{cTCP, cCoder, cGorilla, cGws, cUni, cUniCB, cJS, cNode}

func knownClient(name string) bool {
	for _, c := range allClients {
		if c == name {
			return true
		}
	}
	return false
}

// echoConn is one connection of an in-process client, driven by echoCell.
// send sends the cell's message; recv returns the length of the next
// message received, which the client holds as a freshly owned value (a
// []byte, or a string for text where the API gives one).
type echoConn interface {
	send() error
	recv() (int, error)
	close()
}

// dialEcho opens a connection of an in-process client. payload is the
// message to send: text (ASCII) or binary.
func dialEcho(e *env, client string, payload []byte, binary bool, window int) (echoConn, error) {
	depth := window + 4 // the reader never blocks on the hand-off
	switch client {
	case cTCP:
		return dialTCP(e.tcpAddr, payload, depth)
	case cCoder:
		return dialCoder(e.wsURL, payload, binary, depth)
	case cGorilla:
		return dialGorilla(e.wsURL, payload, binary, depth)
	case cGws:
		return dialGws(e.wsURL, payload, binary, depth)
	case cUni:
		return dialUni(e.wsURL, payload, binary)
	case cUniCB:
		return dialUniCB(e.wsURL, payload, binary, depth)
	}
	return nil, fmt.Errorf("%s is not an in-process client", client)
}

// handoff carries messages from a reader goroutine to recv.
type handoff struct {
	ch chan msg
}

type msg struct {
	b   []byte // the message, handed over (kept so that the copy is real)
	n   int    // its length
	err error
}

func newHandoff(depth int) handoff { return handoff{ch: make(chan msg, depth)} }

func (h handoff) recv() (int, error) {
	m := <-h.ch
	return m.n, m.err
}

// drain waits, bounded, for the reader goroutine to report its end.
func (h handoff) drain() {
	timeout := time.NewTimer(5 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case m := <-h.ch:
			if m.err != nil {
				return
			}
		case <-timeout.C:
			return
		}
	}
}

var errClosed = errors.New("closed")

// --- raw TCP ---

type tcpConn struct {
	handoff
	c       net.Conn
	payload []byte
}

func dialTCP(addr string, payload []byte, depth int) (*tcpConn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	t := &tcpConn{handoff: newHandoff(depth), c: c, payload: payload}
	size := len(payload)
	go func() {
		for {
			b := make([]byte, size)
			if _, err := io.ReadFull(c, b); err != nil {
				t.ch <- msg{err: err}
				return
			}
			t.ch <- msg{b: b, n: len(b)}
		}
	}()
	return t, nil
}

func (t *tcpConn) send() error {
	_, err := t.c.Write(t.payload)
	return err
}

func (t *tcpConn) close() {
	_ = t.c.Close()
	t.drain()
}

// --- raw coder/websocket ---

type coderConn struct {
	handoff
	c       *coder.Conn
	typ     coder.MessageType
	payload []byte
}

func dialCoder(url string, payload []byte, binary bool, depth int) (*coderConn, error) {
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	c, _, err := coder.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(64 << 20)
	t := &coderConn{handoff: newHandoff(depth), c: c, typ: coder.MessageText, payload: payload}
	if binary {
		t.typ = coder.MessageBinary
	}
	go func() {
		for {
			_, b, err := c.Read(bg)
			if err != nil {
				t.ch <- msg{err: err}
				return
			}
			t.ch <- msg{b: b, n: len(b)}
		}
	}()
	return t, nil
}

func (t *coderConn) send() error { return t.c.Write(bg, t.typ, t.payload) }

func (t *coderConn) close() {
	_ = t.c.Close(coder.StatusNormalClosure, "")
	t.drain()
}

// --- gorilla/websocket ---

type gorillaConn struct {
	handoff
	c       *gorilla.Conn
	typ     int
	payload []byte
}

func dialGorilla(url string, payload []byte, binary bool, depth int) (*gorillaConn, error) {
	d := gorilla.Dialer{HandshakeTimeout: 10 * time.Second}
	c, _, err := d.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	t := &gorillaConn{handoff: newHandoff(depth), c: c, typ: gorilla.TextMessage, payload: payload}
	if binary {
		t.typ = gorilla.BinaryMessage
	}
	go func() {
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				t.ch <- msg{err: err}
				return
			}
			t.ch <- msg{b: b, n: len(b)}
		}
	}()
	return t, nil
}

// send is only ever called from one goroutine, as gorilla requires.
func (t *gorillaConn) send() error { return t.c.WriteMessage(t.typ, t.payload) }

func (t *gorillaConn) close() {
	_ = t.c.WriteControl(gorilla.CloseMessage, gorilla.FormatCloseMessage(gorilla.CloseNormalClosure, ""), time.Now().Add(5*time.Second))
	t.drain()
	_ = t.c.Close()
}

// --- lxzan/gws ---

type gwsConn struct {
	handoff
	gws.BuiltinEventHandler
	c       *gws.Conn
	op      gws.Opcode
	payload []byte
}

func dialGws(url string, payload []byte, binary bool, depth int) (*gwsConn, error) {
	t := &gwsConn{handoff: newHandoff(depth), op: gws.OpcodeText, payload: payload}
	if binary {
		t.op = gws.OpcodeBinary
	}
	c, _, err := gws.NewClient(t, &gws.ClientOption{
		Addr:                url,
		ReadMaxPayloadSize:  64 << 20,
		WriteMaxPayloadSize: 64 << 20,
		HandshakeTimeout:    10 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	t.c = c
	go c.ReadLoop()
	return t, nil
}

// OnMessage copies the message out of gws's pooled buffer, as a client
// that hands it on must.
func (t *gwsConn) OnMessage(_ *gws.Conn, m *gws.Message) {
	b := append([]byte(nil), m.Bytes()...)
	_ = m.Close()
	t.ch <- msg{b: b, n: len(b)}
}

func (t *gwsConn) OnClose(_ *gws.Conn, err error) {
	if err == nil {
		err = errClosed
	}
	t.ch <- msg{err: err}
}

func (t *gwsConn) send() error { return t.c.WriteMessage(t.op, t.payload) }

func (t *gwsConn) close() {
	_ = t.c.WriteClose(1000, nil)
	t.drain()
}

// --- unisocket: Dial, Write, Receive ---

type uniConn struct {
	app  *uni.App
	t    *uni.SocketTask
	data any // string for text, []byte for binary
}

func dialUni(url string, payload []byte, binary bool) (*uniConn, error) {
	app := uni.NewApp(uni.Config{})
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	t, err := app.Dial(ctx, uni.ConnectSocketOptions{URL: url})
	if err != nil {
		return nil, err
	}
	return &uniConn{app: app, t: t, data: uniData(payload, binary)}, nil
}

func uniData(payload []byte, binary bool) any {
	if binary {
		return payload
	}
	return string(payload)
}

func (u *uniConn) send() error { return u.t.Write(bg, u.data) }

func (u *uniConn) recv() (int, error) {
	m, err := u.t.Receive(bg)
	if err != nil {
		return 0, err
	}
	return dataLen(m.Data), nil
}

func dataLen(d any) int {
	switch d := d.(type) {
	case string:
		return len(d)
	case []byte:
		return len(d)
	}
	return -1
}

func (u *uniConn) close() {
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	_ = u.t.Shutdown(ctx, 1000, "")
}

// --- unisocket: ConnectSocket, OnMessage listener, Write ---

// uniCBConn receives through an OnMessage listener on the App's
// Executor, the way uni-app code receives; it sends with Write, like
// uniConn, so that the two differ only in how messages arrive.
type uniCBConn struct {
	handoff
	app  *uni.App
	t    *uni.SocketTask
	data any
}

func dialUniCB(url string, payload []byte, binary bool, depth int) (*uniCBConn, error) {
	app := uni.NewApp(uni.Config{})
	u := &uniCBConn{handoff: newHandoff(depth), app: app, data: uniData(payload, binary)}
	opened := make(chan error, 1)
	app.Run(func() {
		u.t = app.ConnectSocket(uni.ConnectSocketOptions{URL: url})
		u.t.OnOpen(func(uni.OnOpenResult) { opened <- nil })
		u.t.OnError(func(r uni.OnErrorResult) {
			select {
			case opened <- errors.New(r.ErrMsg):
			default:
			}
		})
		u.t.OnMessage(func(r uni.OnMessageResult) {
			u.ch <- msg{n: dataLen(r.Data)}
		})
		u.t.OnClose(func(uni.OnCloseResult) { u.ch <- msg{err: errClosed} })
	})
	select {
	case err := <-opened:
		if err != nil {
			return nil, err
		}
	case <-time.After(10 * time.Second):
		return nil, errors.New("uni-cb: no open event in 10s")
	}
	return u, nil
}

func (u *uniCBConn) send() error { return u.t.Write(bg, u.data) }

func (u *uniCBConn) close() {
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	_ = u.t.Shutdown(ctx, 1000, "")
	u.drain()
}
