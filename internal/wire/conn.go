package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/coder/websocket"
)

// Close codes the client reports or sends.
const (
	CodeNormal          = 1000
	CodeProtocolError   = 1002
	CodeNoStatus        = 1005
	CodeAbnormal        = 1006
	CodeInvalidPayload  = 1007
	CodeMessageTooBig   = 1009
	CodeInternalError   = 1011
	maxRetainedReadSize = 4 << 20
)

// Message is one received data message. Text holds a text message's
// payload; Data holds a binary message's payload, owned by the caller.
type Message struct {
	Binary bool
	Text   string
	Data   []byte
}

// Conn is an open WebSocket connection. Read must be called from one
// goroutine at a time; every other method is safe for concurrent use.
type Conn struct {
	ws           *websocket.Conn
	raw          net.Conn
	closeTimeout time.Duration
	guard        *guard // checks the server's frames (guard.go); nil if absent
	readLimit    int64  // the largest message accepted; negative: no limit

	rbuf  []byte  // reused between messages; only the reader touches it
	probe [1]byte // the byte readSized reads past an announced end

	sentMu   sync.Mutex
	sent     *CloseFrame // the close frame we sent, once we sent one
	failed   atomic.Pointer[CloseFrame]
	closeErr error

	// closeDone is closed when the close handshake that Close started is
	// over; closeClean, written before, says whether the peer answered it.
	// The reader needs them: when Close's wait for the answer wins the race
	// for the connection's read lock (the reader is between two messages),
	// Close consumes the peer's close frame and the reader only sees a
	// closed connection. Close makes closeDone when it sets sent, under
	// sentMu, so an idle connection holds no channel it may never need.
	closeDone     chan struct{}
	closeClean    bool
	closeTimedOut atomic.Bool // the peer never answered our close frame
	cutMu         sync.Mutex
	cut           *time.Timer // the close timeout, once started
	aborted       atomic.Bool
}

// CloseTimeoutError is the cause of a connection cut because the peer did
// not answer our close frame in time.
type CloseTimeoutError struct{ Timeout time.Duration }

// Error says how long the close handshake was given.
func (e *CloseTimeoutError) Error() string {
	return fmt.Sprintf("the server did not answer the close frame within %v; the connection was cut", e.Timeout)
}

// CloseFrame is a close code and reason.
type CloseFrame struct {
	Code   int
	Reason string
}

func newConn(ws *websocket.Conn, raw net.Conn, closeTimeout time.Duration) *Conn {
	return &Conn{ws: ws, raw: raw, closeTimeout: closeTimeout}
}

// ClosedError reports how a connection ended. Read returns it once the
// connection is over.
type ClosedError struct {
	// Code and Reason are what the application is told: the peer's close
	// frame, ours when we started the close, 1005 for an empty close frame,
	// 1006 when the connection ended without a close handshake.
	Code   int
	Reason string
	// Clean is true when a close frame was received.
	Clean bool
	// Err is the cause of an unclean end.
	Err error
}

// Error describes how the connection ended.
func (e *ClosedError) Error() string {
	if e.Clean {
		return fmt.Sprintf("WebSocket closed with code %d and reason %q", e.Code, e.Reason)
	}
	return fmt.Sprintf("WebSocket connection lost: %v", e.Err)
}

// Unwrap returns the cause of an unclean end.
func (e *ClosedError) Unwrap() error { return e.Err }

// ErrInvalidUTF8 is the cause of a connection failed because a text message
// was not valid UTF-8.
var ErrInvalidUTF8 = errors.New("received a text message that is not valid UTF-8; closed the connection with 1007")

// Read returns the next data message. Control frames are handled inside.
// Once the connection is over it returns a *ClosedError.
func (c *Conn) Read() (Message, error) {
	typ, r, err := c.ws.Reader(context.Background())
	if err != nil {
		return Message{}, c.readFailed(err)
	}
	var b []byte
	n, sized := c.announced()
	if sized {
		b, err = readSized(r, n, c.probe[:])
	} else {
		b, err = c.readAll(r)
	}
	if err != nil {
		return Message{}, c.readFailed(err)
	}
	if typ == websocket.MessageBinary {
		if !sized {
			b = append([]byte(nil), b...)
		}
		return Message{Binary: true, Data: b}, nil
	}
	if !utf8.Valid(b) {
		c.fail(CodeInvalidPayload, "invalid UTF-8 in text message")
		return Message{}, &ClosedError{Code: CodeAbnormal, Err: ErrInvalidUTF8}
	}
	if sized {
		// b was allocated for this message and is dropped here: the
		// string is its only reference, so it never changes.
		return Message{Text: unsafe.String(unsafe.SliceData(b), len(b))}, nil
	}
	return Message{Text: string(b)}, nil
}

// presizeMax bounds the buffer allocated from a frame header alone: a
// larger message is read in growing pieces, so that a header announcing
// gigabytes costs nothing until the bytes arrive.
const presizeMax = 16 << 20

// announced returns the size of the message being read when its only
// frame announced it (the frame guard records the headers it passes on)
// and it is within the read limit.
func (c *Conn) announced() (int, bool) {
	if c.guard == nil {
		return 0, false
	}
	n, whole := c.guard.nextLength()
	if !whole || n == 0 || n > presizeMax || (c.readLimit >= 0 && n > uint64(c.readLimit)) {
		return 0, false
	}
	return int(n), true
}

// readSized reads a message announced as n bytes into a buffer of that
// size, which the caller then owns: no copy, and no buffer grown piece by
// piece. The announcement is only trusted as far as it goes: a shorter
// message is cut to size, a longer one is read on.
func readSized(r io.Reader, n int, probe []byte) ([]byte, error) {
	b := make([]byte, n)
	k, err := io.ReadFull(r, b)
	switch err {
	case nil:
	case io.EOF, io.ErrUnexpectedEOF:
		return b[:k], nil
	default:
		return nil, err
	}
	// The message should end here; coder/websocket says so on the next
	// read, without reading from the connection.
	m, err := r.Read(probe)
	if err == io.EOF {
		return b, nil
	}
	if err != nil {
		return nil, err
	}
	b = append(b, probe[:m]...)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		m, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// readAll reads a message into the reused buffer. The buffer grows once to
// the size of the largest message instead of once per message, and is
// dropped after a very large message so it does not pin memory.
func (c *Conn) readAll(r io.Reader) ([]byte, error) {
	b := c.rbuf[:0]
	if cap(b) == 0 {
		b = make([]byte, 0, 512)
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if cap(b) <= maxRetainedReadSize {
		c.rbuf = b
	} else {
		c.rbuf = nil
	}
	return b, nil
}

// fail closes the connection after a protocol violation that the library
// does not catch itself.
func (c *Conn) fail(code int, reason string) {
	c.failed.Store(&CloseFrame{Code: code, Reason: reason})
	go c.Close(code, reason) //nolint:errcheck // the reader reports the outcome
}

// readFailed turns the error that ended reading into a ClosedError. After
// an unclean end it cuts the TCP connection: when coder/websocket fails a
// connection itself (read limit, a protocol error) it sends a close frame
// but leaves the connection open, which would hold it until the server
// closes it, possibly never. RFC 6455 7.1.7 says to close it. Closing the
// raw connection does not block, unlike CloseNow, which would wait for a
// close handshake running on another goroutine.
func (c *Conn) readFailed(err error) *ClosedError {
	c.stopCloseTimer() // the connection is over either way
	ce := c.closedError(err)
	if !ce.Clean && c.raw != nil {
		_ = c.raw.Close()
	}
	return ce
}

func (c *Conn) closedError(err error) *ClosedError {
	if c.guard != nil {
		if v := c.guard.Violation(); v != nil {
			// The guard failed the connection: coder/websocket answered its
			// synthetic close frame. Report it as a browser does.
			return &ClosedError{Code: CodeAbnormal, Err: v}
		}
	}
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		out := &ClosedError{Code: int(ce.Code), Reason: ce.Reason, Clean: true}
		c.sentMu.Lock()
		sent := c.sent
		c.sentMu.Unlock()
		if sent != nil && c.failed.Load() == nil {
			// We started the close; the peer's answer only confirms it.
			out.Code, out.Reason = sent.Code, sent.Reason
		}
		if c.failed.Load() != nil {
			out = &ClosedError{Code: CodeAbnormal, Err: err}
		}
		return out
	}
	if errors.Is(err, net.ErrClosed) && c.failed.Load() == nil {
		c.sentMu.Lock()
		sent, closeDone := c.sent, c.closeDone
		c.sentMu.Unlock()
		if sent != nil {
			// Close is running (it set sent first) and ends within its
			// timeouts; it may have read the peer's answer itself.
			<-closeDone
			if c.closeClean && !c.aborted.Load() {
				return &ClosedError{Code: sent.Code, Reason: sent.Reason, Clean: true}
			}
		}
	}
	if c.closeTimedOut.Load() {
		return &ClosedError{Code: CodeAbnormal, Err: &CloseTimeoutError{Timeout: c.closeTimeout}}
	}
	if errors.Is(err, websocket.ErrMessageTooBig) || errorsContain(err, "read limited at") {
		return &ClosedError{Code: CodeAbnormal, Err: fmt.Errorf("received a message over the read limit; closed the connection with 1009: %w", err)}
	}
	return &ClosedError{Code: CodeAbnormal, Err: err}
}

func errorsContain(err error, s string) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

// Write sends one data message.
func (c *Conn) Write(binary bool, p []byte) error {
	typ := websocket.MessageText
	if binary {
		typ = websocket.MessageBinary
	}
	return c.ws.Write(context.Background(), typ, p)
}

// Ping sends a ping and waits for its pong. A reader must be running.
func (c *Conn) Ping(ctx context.Context) error { return c.ws.Ping(ctx) }

// Close starts the close handshake with code and reason and waits for it,
// at most the close timeout; then the connection is cut. The caller
// validates code and reason. Only the first call sends a frame.
func (c *Conn) Close(code int, reason string) error {
	c.sentMu.Lock()
	if c.sent != nil {
		c.sentMu.Unlock()
		return nil
	}
	c.sent = &CloseFrame{Code: code, Reason: reason}
	c.closeDone = make(chan struct{})
	c.sentMu.Unlock()
	c.StartCloseTimer()
	err := c.ws.Close(websocket.StatusCode(code), reason)
	c.stopCloseTimer()
	// coder/websocket returns nil when the peer answered with our code,
	// a CloseError when it answered with another, and nil too when a
	// concurrent reader received the answer and closed the connection.
	var ce websocket.CloseError
	c.closeClean = !c.closeTimedOut.Load() && (err == nil || errors.As(err, &ce))
	close(c.closeDone)
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// StartCloseTimer starts the close timeout now: if the close handshake is
// not over by then, the connection is cut and Read reports a
// *CloseTimeoutError. Close starts it too; a caller that queues the close
// frame behind other writes starts it when the close is asked for, so a
// write the peer never reads cannot hold the close up for ever. Only the
// first call starts a timer.
func (c *Conn) StartCloseTimer() {
	if c.raw == nil {
		return
	}
	c.cutMu.Lock()
	defer c.cutMu.Unlock()
	if c.cut == nil {
		c.cut = time.AfterFunc(c.closeTimeout, func() {
			c.closeTimedOut.Store(true)
			_ = c.raw.Close()
		})
	}
}

func (c *Conn) stopCloseTimer() {
	c.cutMu.Lock()
	defer c.cutMu.Unlock()
	if c.cut != nil {
		c.cut.Stop()
	}
}

// Abort cuts the connection without a close handshake.
func (c *Conn) Abort() {
	c.aborted.Store(true)
	if c.raw != nil {
		_ = c.raw.Close()
	}
	_ = c.ws.CloseNow()
}
