package wire

import (
	"math/rand/v2"
	"sync"
)

// writeChunk bounds the payload bytes masked into one write: a frame with
// a payload of up to 1 MiB is one write call, a larger one is written in
// 1 MiB pieces.
const writeChunk = 1 << 20

// compressMin is the smallest message sent compressed: below it deflate's
// framing costs more than it saves.
const compressMin = 128

// Write sends one data message. p is not changed and not kept.
func (c *Conn) Write(binary bool, p []byte) error {
	op := byte(opText)
	if binary {
		op = opBinary
	}
	return writeMessage(c, op, p)
}

// WriteText sends s as a text message, masked straight from the string
// into the frame buffer.
func (c *Conn) WriteText(s string) error { return writeMessage(c, opText, s) }

// writeMessage writes one data message as one frame.
func writeMessage[T ~string | ~[]byte](c *Conn, op byte, p T) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	// Checked under writeMu: Close sets closing before it takes writeMu to
	// write the close frame, so no data frame can follow that frame.
	if c.closing.Load() || c.over.Load() {
		return ErrNotConnected
	}
	if c.werr != nil {
		return c.werr
	}
	if c.deflate != nil && len(p) >= compressMin {
		bp := getBuf(len(p)/2 + 64)
		if out := c.deflate.compress((*bp)[:0], []byte(p)); out != nil {
			err := writeFrame(c, op, true, out)
			if cap(out) == cap(*bp) {
				putBuf(bp)
			}
			return err
		}
		putBuf(bp)
	}
	return writeFrame(c, op, false, p)
}

// writeControl writes a control frame; p is at most 125 bytes.
func (c *Conn) writeControl(op byte, p []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.werr != nil {
		return c.werr
	}
	return writeFrame(c, op, false, p)
}

// writeFrame writes one frame, header and masked payload in one
// write call, from a pooled buffer: the caller's bytes are never masked in
// place. Called with writeMu held.
func writeFrame[T ~string | ~[]byte](c *Conn, op byte, rsv1 bool, p T) error {
	var key [4]byte
	k := rand.Uint32()
	key[0], key[1], key[2], key[3] = byte(k), byte(k>>8), byte(k>>16), byte(k>>24)
	first := min(len(p), writeChunk)
	bp := getBuf(maxHeaderSize + first)
	b := appendClientHeader((*bp)[:0], true, rsv1, op, len(p), key)
	h := len(b)
	b = append(b, p[:first]...)
	pos := maskBytes(key, 0, b[h:])
	_, err := c.w.Write(b)
	for off := first; err == nil && off < len(p); {
		n := min(len(p)-off, writeChunk)
		b = append(b[:0], p[off:off+n]...)
		pos = maskBytes(key, pos, b)
		_, err = c.w.Write(b)
		off += n
	}
	*bp = b[:0]
	putBuf(bp)
	if err != nil {
		// A frame may be half written: the stream is broken.
		c.werr = err
		_ = c.raw.Close()
	}
	return err
}

// The frame buffers come from pools by size: 8 KiB, 16 KiB, …, 1 MiB,
// each with room for a frame header.
const (
	minBufShift = 13
	maxBufShift = 20
	bufSlack    = 64
)

var bufPools [maxBufShift - minBufShift + 1]sync.Pool

func bufClass(n int) int {
	c := 0
	for c < len(bufPools)-1 && n > 1<<(minBufShift+c)+bufSlack {
		c++
	}
	return c
}

func getBuf(n int) *[]byte {
	c := bufClass(n)
	if b, ok := bufPools[c].Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 1<<(minBufShift+c)+bufSlack)
	return &b
}

func putBuf(b *[]byte) {
	c := bufClass(cap(*b))
	if cap(*b) != 1<<(minBufShift+c)+bufSlack {
		return // grown by append: not one of ours
	}
	bufPools[c].Put(b)
}
