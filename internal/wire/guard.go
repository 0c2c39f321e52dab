package wire

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// The frame guard checks every frame header the server sends, and every
// close frame's payload, before coder/websocket reads them. coder/websocket
// is written for both ends of a connection and leaves some of RFC 6455's
// client-side rules unchecked:
//
//   - a client must fail the connection when a server frame is masked
//     (RFC 6455 5.1); coder/websocket reads masked server frames, leaving
//     data payloads masked;
//   - a close frame whose reason is not UTF-8 must fail the connection
//     with 1007 (RFC 6455 8.1; Autobahn 7.5.1); coder/websocket echoes it.
//
// It also applies the other frame-level rules (reserved bits and opcodes,
// control frame size and fragmentation, continuation order, close codes),
// which coder/websocket checks as well, so that every frame-level
// violation ends the same way, with a named cause: the way a browser fails
// a connection.
//
// The guard sits on the plaintext byte stream after the HTTP response: it
// wraps the body of the 101 response, which net/http hands over as the
// connection's io.ReadWriteCloser (above TLS for wss://). On a violation
// it passes on every byte before the offending frame, then, in place of
// that frame, a synthetic close frame with code 1002 or 1007 and ends the
// stream. coder/websocket reads that close frame as if the server had sent
// it, answers it with the same code (so the server receives the close code
// RFC 6455 asks for) and closes the connection. The Conn then reports the
// end as a browser does: code 1006, not clean, with the violation as the
// cause.
type guard struct {
	rwc io.ReadWriteCloser

	// allowRSV1 is set when permessage-deflate was negotiated: RSV1 then
	// marks the first frame of a compressed message.
	allowRSV1 bool

	// The reader's state; only the goroutine reading the connection (which
	// coder/websocket serialises) touches it.
	buf        []byte // held-back bytes: buf[r:w]
	r, w       int
	ok         int    // bytes at buf[r:] already checked
	remaining  uint64 // payload bytes of the current frame still to pass
	fragmented bool   // a data message's first frame had FIN clear
	ended      bool   // the synthetic close frame was queued
	readErr    error  // the error the connection returned, once it did

	violation atomic.Pointer[ProtocolViolation]

	// starts holds the payload length of the first frame of each data
	// message passed on, in order, until the Conn takes it (nextLength):
	// the Conn reads a message into a buffer of the announced size. The
	// mutex is needed because Close may read the connection (waiting for
	// the peer's close frame) while the reader takes a length.
	startsMu sync.Mutex
	starts   []msgStart
	head     int
	noStarts bool
}

// msgStart is what a data message's first frame announces.
type msgStart struct {
	length uint64
	whole  bool // FIN set and not compressed: length is the message's size
}

// maxStarts bounds the queue. The queue is only a hint: the Conn checks
// nextLength's answer against what arrives.
const maxStarts = 4096

// recordStart queues s. If the Conn falls maxStarts messages behind, the
// queue is given up for good, since a lost entry would misalign the rest.
func (g *guard) recordStart(s msgStart) {
	g.startsMu.Lock()
	defer g.startsMu.Unlock()
	if g.noStarts {
		return
	}
	if g.head > 0 && g.head >= len(g.starts)/2 {
		g.starts = g.starts[:copy(g.starts, g.starts[g.head:])]
		g.head = 0
	}
	if len(g.starts) == maxStarts {
		g.starts, g.head, g.noStarts = nil, 0, true
		return
	}
	g.starts = append(g.starts, s)
}

// nextLength takes the start of the next data message: its size when a
// single uncompressed frame carries it.
func (g *guard) nextLength() (uint64, bool) {
	g.startsMu.Lock()
	defer g.startsMu.Unlock()
	if g.head == len(g.starts) {
		return 0, false
	}
	s := g.starts[g.head]
	g.head++
	if g.head == len(g.starts) {
		if cap(g.starts) > 64 {
			g.starts = nil // do not hold a long queue on an idle connection
		} else {
			g.starts = g.starts[:0]
		}
		g.head = 0
	}
	return s.length, s.whole
}

// ProtocolViolation is the cause of a connection failed because the server
// broke RFC 6455. Code is the close code the client sent in answer.
type ProtocolViolation struct {
	Code   int
	Reason string
}

func (v *ProtocolViolation) Error() string {
	return fmt.Sprintf("server broke the WebSocket protocol (%s); closed the connection with %d", v.Reason, v.Code)
}

// guardBufSize holds the largest frame the guard holds back: a 14-byte
// header and a 125-byte control payload, with room for what follows.
const guardBufSize = 4096

func newGuard(rwc io.ReadWriteCloser, allowRSV1 bool) *guard {
	return &guard{rwc: rwc, allowRSV1: allowRSV1}
}

// Violation returns the violation that failed the connection, or nil.
func (g *guard) Violation() *ProtocolViolation { return g.violation.Load() }

func (g *guard) Write(p []byte) (int, error) { return g.rwc.Write(p) }

func (g *guard) Close() error { return g.rwc.Close() }

// Read passes on the server's bytes once they were checked.
func (g *guard) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if g.ok > 0 {
			n := copy(p, g.buf[g.r:g.r+g.ok])
			g.r += n
			g.ok -= n
			if g.r == g.w {
				g.r, g.w = 0, 0
			}
			return n, nil
		}
		if g.ended {
			return 0, io.EOF
		}
		if g.readErr != nil {
			if g.r < g.w {
				// An incomplete frame before the end: pass it on so the
				// library reports the truncation itself.
				g.ok = g.w - g.r
				continue
			}
			return 0, g.readErr
		}
		if g.r == g.w {
			// Nothing held back: read straight into p, the common case.
			n, err := g.rwc.Read(p)
			g.readErr = err
			if n == 0 {
				continue
			}
			valid, v := g.scan(p[:n])
			if v != nil {
				g.fail(v, nil)
			} else if valid < n {
				g.hold(p[valid:n])
			}
			if valid > 0 {
				return valid, nil
			}
			continue
		}
		// Bytes are held back: read more behind them.
		if g.r > 0 {
			g.w = copy(g.buf, g.buf[g.r:g.w])
			g.r = 0
		}
		n, err := g.rwc.Read(g.buf[g.w:cap(g.buf)])
		g.readErr = err
		g.w += n
		valid, v := g.scan(g.buf[g.r:g.w])
		if v != nil {
			g.fail(v, g.buf[g.r:g.r+valid])
		} else {
			g.ok = valid
		}
	}
}

// hold keeps b, the unchecked tail of a read, for the next Read.
func (g *guard) hold(b []byte) {
	if g.buf == nil {
		g.buf = make([]byte, guardBufSize)
	}
	g.r, g.w = 0, copy(g.buf, b)
}

// fail records v and queues what the reader gets next: head (checked bytes
// before the offending frame that are still in the buffer), then the
// synthetic close frame; the stream ends after it.
func (g *guard) fail(v *ProtocolViolation, head []byte) {
	g.violation.Store(v)
	frame := closeFrameBytes(v.Code, v.Reason)
	out := make([]byte, 0, len(head)+len(frame))
	out = append(append(out, head...), frame...)
	g.buf, g.r, g.w, g.ok = out, 0, len(out), len(out)
	g.ended = true
}

// closeFrameBytes builds an unmasked close frame, as a server sends it.
func closeFrameBytes(code int, reason string) []byte {
	if len(reason) > maxCloseReasonBytes {
		reason = reason[:maxCloseReasonBytes]
		for !utf8.ValidString(reason) {
			reason = reason[:len(reason)-1]
		}
	}
	b := make([]byte, 4, 4+len(reason))
	b[0] = 0x80 | opClose
	b[1] = byte(2 + len(reason))
	binary.BigEndian.PutUint16(b[2:], uint16(code))
	return append(b, reason...)
}

// The opcodes of RFC 6455 5.2.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa

	maxControlPayload   = 125
	maxCloseReasonBytes = maxControlPayload - 2
)

// frameHeader is a parsed frame header.
type frameHeader struct {
	fin, rsv1, rsv2, rsv3, masked bool
	opcode                        byte
	length                        uint64
	size                          int // bytes of the header itself
}

// parseFrameHeader parses the header at the start of b; ok is false when b
// holds only part of it.
func parseFrameHeader(b []byte) (h frameHeader, ok bool) {
	if len(b) < 2 {
		return h, false
	}
	h.fin = b[0]&0x80 != 0
	h.rsv1 = b[0]&0x40 != 0
	h.rsv2 = b[0]&0x20 != 0
	h.rsv3 = b[0]&0x10 != 0
	h.opcode = b[0] & 0x0f
	h.masked = b[1]&0x80 != 0
	h.size = 2
	switch n := b[1] & 0x7f; n {
	case 126:
		if len(b) < 4 {
			return h, false
		}
		h.length = uint64(binary.BigEndian.Uint16(b[2:]))
		h.size = 4
	case 127:
		if len(b) < 10 {
			return h, false
		}
		h.length = binary.BigEndian.Uint64(b[2:])
		h.size = 10
	default:
		h.length = uint64(n)
	}
	if h.masked {
		h.size += 4
		if len(b) < h.size {
			return h, false
		}
	}
	return h, true
}

// scan checks the bytes in b, which follow the bytes already passed on. It
// returns how many of them can be passed on: all the payload bytes of the
// current frame, and every following frame whose header (and, for a close
// frame, payload) is complete and valid. It stops at the first incomplete
// header and at the first invalid frame, for which it returns the
// violation.
func (g *guard) scan(b []byte) (int, *ProtocolViolation) {
	i := 0
	for i < len(b) {
		if g.remaining > 0 {
			k := uint64(len(b) - i)
			if k > g.remaining {
				k = g.remaining
			}
			i += int(k)
			g.remaining -= k
			continue
		}
		h, ok := parseFrameHeader(b[i:])
		if !ok {
			return i, nil
		}
		if v := g.checkHeader(h); v != nil {
			return i, v
		}
		if h.opcode == opClose {
			end := i + h.size + int(h.length) // length ≤ 125, checked above
			if end > len(b) {
				return i, nil
			}
			if _, _, v := checkClosePayload(b[i+h.size : end]); v != nil {
				return i, v
			}
		}
		i += h.size
		g.remaining = h.length
	}
	return i, nil
}

// checkHeader applies RFC 6455's frame rules to a server frame header and
// tracks fragmentation.
func (g *guard) checkHeader(h frameHeader) *ProtocolViolation {
	switch {
	case h.masked:
		return &ProtocolViolation{Code: CodeProtocolError, Reason: "the server sent a masked frame"}
	case h.rsv2 || h.rsv3:
		return &ProtocolViolation{Code: CodeProtocolError, Reason: "the server set reserved bits RSV2/RSV3 that no extension defines"}
	case h.length>>63 != 0:
		return &ProtocolViolation{Code: CodeProtocolError, Reason: "the server sent a frame length with the most significant bit set"}
	}
	switch h.opcode {
	case opContinuation, opText, opBinary:
	case opClose, opPing, opPong:
		switch {
		case h.length > maxControlPayload:
			return &ProtocolViolation{Code: CodeProtocolError, Reason: fmt.Sprintf("the server sent a control frame of %d bytes (at most 125 allowed)", h.length)}
		case !h.fin:
			return &ProtocolViolation{Code: CodeProtocolError, Reason: "the server sent a fragmented control frame"}
		case h.rsv1:
			return &ProtocolViolation{Code: CodeProtocolError, Reason: "the server set RSV1 on a control frame"}
		}
		return nil
	default:
		return &ProtocolViolation{Code: CodeProtocolError, Reason: fmt.Sprintf("the server used reserved opcode %#x", h.opcode)}
	}
	// A data frame.
	if h.rsv1 && (!g.allowRSV1 || h.opcode == opContinuation) {
		return &ProtocolViolation{Code: CodeProtocolError, Reason: "the server set RSV1 without a negotiated extension that defines it"}
	}
	if h.opcode == opContinuation {
		if !g.fragmented {
			return &ProtocolViolation{Code: CodeProtocolError, Reason: "the server sent a continuation frame outside a fragmented message"}
		}
	} else if g.fragmented {
		return &ProtocolViolation{Code: CodeProtocolError, Reason: "the server started a new message inside a fragmented one"}
	}
	if h.opcode != opContinuation {
		g.recordStart(msgStart{length: h.length, whole: h.fin && !h.rsv1})
	}
	g.fragmented = !h.fin
	return nil
}

// checkClosePayload parses a close frame's payload (RFC 6455 5.5.1, 7.4):
// empty (no code: 1005), or a 2-byte code that may be sent on the wire
// followed by a UTF-8 reason. It returns the violation the payload is, if
// any: 1002 for a malformed payload or a code that may not be sent, 1007
// for a reason that is not UTF-8.
func checkClosePayload(p []byte) (code int, reason string, v *ProtocolViolation) {
	switch {
	case len(p) == 0:
		return CodeNoStatus, "", nil
	case len(p) == 1:
		return 0, "", &ProtocolViolation{Code: CodeProtocolError, Reason: "the server sent a 1-byte close payload"}
	case len(p) > maxControlPayload:
		return 0, "", &ProtocolViolation{Code: CodeProtocolError, Reason: "the server sent a close payload over 125 bytes"}
	}
	code = int(binary.BigEndian.Uint16(p))
	if !ValidWireCloseCode(code) {
		return 0, "", &ProtocolViolation{Code: CodeProtocolError, Reason: fmt.Sprintf("the server sent close code %d, which may not be sent", code)}
	}
	if !utf8.Valid(p[2:]) {
		return 0, "", &ProtocolViolation{Code: CodeInvalidPayload, Reason: "the server sent a close reason that is not UTF-8"}
	}
	return code, string(p[2:]), nil
}

// ValidWireCloseCode reports whether code may appear in a close frame
// (RFC 6455 7.4 and the IANA registry): 1000–1003 and 1007–1014 (1004 is
// reserved, 1005, 1006 and 1015 are for reports only), and 3000–4999.
func ValidWireCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// The guard is installed by methodRoundTripper, which sees the 101
// response, and found by Dial through a record in the request's context.

type guardKey struct{}

// guardOffKey, set in a Dial context, leaves the guard out; only the
// benchmark that measures the guard's cost uses it.
type guardOffKey struct{}

type guardRecord struct{ g atomic.Pointer[guard] }

// withGuardRecord returns ctx carrying a record that receives the guard
// of the handshake made with it.
func withGuardRecord(ctx context.Context) (context.Context, *guardRecord) {
	rec := &guardRecord{}
	return context.WithValue(ctx, guardKey{}, rec), rec
}

// guardResponse wraps the body of a 101 response in a guard.
func guardResponse(ctx context.Context, resp *http.Response) {
	if resp == nil || resp.StatusCode != http.StatusSwitchingProtocols {
		return
	}
	rec, _ := ctx.Value(guardKey{}).(*guardRecord)
	if rec == nil || ctx.Value(guardOffKey{}) != nil {
		return
	}
	rwc, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		return // coder/websocket will refuse the response itself
	}
	g := newGuard(rwc, deflateNegotiated(resp.Header))
	resp.Body = g
	rec.g.Store(g)
}

// deflateNegotiated reports whether the response accepts permessage-deflate.
// coder/websocket refuses any other extension.
func deflateNegotiated(h http.Header) bool {
	for _, v := range h.Values("Sec-WebSocket-Extensions") {
		for _, ext := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(ext, ";")
			if strings.EqualFold(strings.TrimSpace(name), "permessage-deflate") {
				return true
			}
		}
	}
	return false
}
