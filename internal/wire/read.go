package wire

import (
	"errors"
	"io"
	"sync"
	"unsafe"
)

// readBufSize is the read buffer's size. A payload that needs more than
// half of it is read straight into the message instead.
const readBufSize = 8 << 10

// presizeMax bounds the buffer a message's frame header alone can make
// the reader allocate: a larger message grows with the bytes that
// actually arrive, so a header announcing 16 MiB costs 64 KiB until the
// bytes come.
const presizeMax = 64 << 10

var readBufPool = sync.Pool{New: func() any { b := make([]byte, readBufSize); return &b }}

// frameReader holds the reader's state: the read buffer, the frame rules
// and the text being checked. Only the goroutine holding Conn.readMu
// touches it.
type frameReader struct {
	buf   *[]byte // pooled; nil between messages when the Conn can wait without it
	r, w  int     // unread bytes: (*buf)[r:w]
	rules frameRules
	ctl   [maxControlPayload]byte
}

// release returns the buffer to its pool.
func (r *frameReader) release() {
	if r.buf != nil {
		readBufPool.Put(r.buf)
		r.buf, r.r, r.w = nil, 0, 0
	}
}

// fill reads at least one more byte into the buffer.
func (c *Conn) fill() error {
	r := &c.r
	if r.buf == nil {
		if c.plain != nil && c.plain.rc != nil && c.plain.direct.Load() {
			b, n, err := readIdle(c.plain.rc)
			if err != nil {
				return err
			}
			r.buf, r.r, r.w = b, 0, n
			return nil
		}
		if c.plain != nil && c.plain.rc != nil {
			// net/http may still hold bytes after the 101 answer, so the
			// body is read, but into a small buffer: a connection idle
			// from the start holds no read buffer either.
			var first [256]byte
			n, err := c.body.Read(first[:])
			if n == 0 {
				if err == nil {
					err = io.ErrNoProgress
				}
				return err
			}
			r.buf = readBufPool.Get().(*[]byte)
			r.r, r.w = 0, copy(*r.buf, first[:n])
			return nil
		}
		r.buf = readBufPool.Get().(*[]byte)
		r.r, r.w = 0, 0
	}
	b := *r.buf
	if r.r > 0 && r.r == r.w {
		r.r, r.w = 0, 0
	}
	if r.w == len(b) {
		r.w = copy(b, b[r.r:r.w])
		r.r = 0
	}
	n, err := c.src().Read(b[r.w:])
	r.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// src is the stream frames are read from.
func (c *Conn) src() io.Reader {
	if c.plain != nil && c.plain.direct.Load() {
		return c.plain.Conn
	}
	return c.body
}

// idle drops the read buffer between messages when it is empty and the
// connection can be waited on without it.
func (c *Conn) idle() {
	if c.r.buf != nil && c.r.r == c.r.w && c.plain != nil && c.plain.rc != nil && c.plain.direct.Load() {
		c.r.release()
	}
}

// nextHeader reads and checks the next frame header.
func (c *Conn) nextHeader() (frameHeader, error) {
	r := &c.r
	for {
		if r.buf != nil {
			if h, ok := parseFrameHeader((*r.buf)[r.r:r.w]); ok {
				r.r += h.size
				return h, nil
			}
		}
		if err := c.fill(); err != nil {
			return frameHeader{}, err
		}
	}
}

// readFull fills p with payload bytes.
func (c *Conn) readFull(p []byte) error {
	for len(p) > 0 {
		n, err := c.readSome(p)
		if err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// readSome reads at least one payload byte into p: from the buffer, or
// straight from the stream when p is large.
func (c *Conn) readSome(p []byte) (int, error) {
	r := &c.r
	for {
		if r.buf != nil && r.r < r.w {
			n := copy(p, (*r.buf)[r.r:r.w])
			r.r += n
			return n, nil
		}
		if len(p) >= readBufSize/2 {
			n, err := c.src().Read(p)
			if n > 0 {
				return n, nil
			}
			if err == nil {
				err = io.ErrNoProgress
			}
			return 0, err
		}
		if err := c.fill(); err != nil {
			return 0, err
		}
	}
}

// readMessage reads frames up to the end of the next data message,
// handling control frames on the way. It returns the message, or the
// connection's end as a *ClosedError. Called with readMu held.
func (c *Conn) readMessage() (Message, error) {
	var (
		b          []byte // the message so far
		started    bool
		binaryMsg  bool
		compressed bool
		checked    int // bytes of b known to be whole valid UTF-8
	)
	defer c.idle()
	for {
		h, err := c.nextHeader()
		if err != nil {
			return Message{}, c.dropped(err)
		}
		if v := c.r.rules.check(&h); v != nil {
			return Message{}, c.failed(v.Code, v.Reason, v)
		}
		if h.opcode >= opClose {
			p := c.r.ctl[:h.length]
			if err := c.readFull(p); err != nil {
				return Message{}, c.dropped(err)
			}
			switch h.opcode {
			case opPing:
				if c.onPing != nil {
					c.onPing(p)
				}
				if !c.closing.Load() {
					_ = c.writeControl(opPong, p)
				}
			case opPong:
				c.pongReceived(p)
			case opClose:
				return Message{}, c.closeReceived(p)
			}
			continue
		}
		if !started {
			started, binaryMsg, compressed = true, h.opcode == opBinary, h.rsv1
		}
		total := uint64(len(b)) + h.length
		if c.readLimit >= 0 && total > uint64(c.readLimit) {
			return Message{}, c.failed(CodeMessageTooBig, "message too big", &MessageTooBigError{Limit: c.readLimit})
		}
		checkText := !binaryMsg && !compressed
		for uint64(len(b)) < total {
			if len(b) == cap(b) {
				b = grow(b, total)
			}
			n, err := c.readSome(b[len(b):min(cap(b), int(total))])
			b = b[:len(b)+n]
			if err != nil {
				return Message{}, c.dropped(err)
			}
			// Text is checked as it arrives, so that invalid UTF-8 fails
			// the connection without waiting for the rest (Autobahn 6.4).
			if checkText {
				n := validUTF8Prefix(b[checked:])
				if n < 0 {
					return Message{}, c.failed(CodeInvalidPayload, "invalid UTF-8 in text message", ErrInvalidUTF8)
				}
				checked += n
			}
		}
		if !h.fin {
			continue
		}
		if compressed {
			out, err := c.deflate.inflate(b, c.readLimit)
			switch {
			case errors.Is(err, errInflateLimit):
				return Message{}, c.failed(CodeMessageTooBig, "message too big", &MessageTooBigError{Limit: c.readLimit})
			case err != nil:
				v := violation("the server sent a compressed message that does not inflate: %v", err)
				return Message{}, c.failed(v.Code, v.Reason, v)
			}
			b = out
			if !binaryMsg && validUTF8Prefix(b) != len(b) {
				return Message{}, c.failed(CodeInvalidPayload, "invalid UTF-8 in text message", ErrInvalidUTF8)
			}
		} else if checkText && checked != len(b) {
			return Message{}, c.failed(CodeInvalidPayload, "invalid UTF-8 in text message", ErrInvalidUTF8)
		}
		if binaryMsg {
			return Message{Binary: true, Data: b}, nil
		}
		if len(b) == 0 {
			return Message{}, nil
		}
		// b was allocated for this message and is dropped here: the
		// string is its only reference, so it never changes.
		return Message{Text: unsafe.String(unsafe.SliceData(b), len(b))}, nil
	}
}

// grow makes room in b for more of a message of total bytes: up to the
// total, but at most four times what arrived (presizeMax to begin with),
// so that the buffer follows the bytes received rather than what a header
// announced.
func grow(b []byte, total uint64) []byte {
	want := uint64(max(presizeMax, 4*len(b)))
	if want > total {
		want = total
	}
	nb := make([]byte, len(b), want)
	copy(nb, b)
	return nb
}
