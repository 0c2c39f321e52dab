package wire

import (
	"io"
	"net/http"
	"sync"
)

// coalescer sits below coder/websocket on the write side and makes each
// frame one write call on the connection. coder/websocket masks a client
// frame's payload into its 4 KiB bufio.Writer and flushes the buffer each
// time it fills, so a 1 MiB message costs 256 write system calls; with the
// coalescer it costs one (the kernel may still take it in several pieces).
//
// It follows the frame headers in the bytes it is given. While a frame is
// incomplete its bytes are collected in a pooled buffer, which is written
// once the frame is complete, or once it holds coalesceMax bytes; a write
// that ends on a frame boundary with nothing collected (every small frame:
// coder/websocket flushes a frame as soon as it is written) goes straight
// through, uncopied. coder/websocket writes one frame at a time, so the
// byte stream seen here is always a sequence of whole frames; if it ever
// were not, the only cost would be a write made later or in other pieces.
//
// The read side passes straight through.
type coalescer struct {
	io.ReadWriteCloser

	mu   sync.Mutex
	left uint64   // payload bytes of the current frame not seen yet
	hdr  [14]byte // the start of a frame header split between two writes
	hn   int      // bytes in hdr
	buf  []byte   // collected bytes not written yet, in *bp
	bp   *[]byte  // the pooled buffer behind buf; nil when none is held
	err  error    // the first write error; every later write fails with it
}

// coalesceMax bounds the bytes collected: a frame with a payload of up to
// 1 MiB is written at once, a larger one in 1 MiB pieces.
const coalesceMax = 1<<20 + 64

// coalesceResponse puts a coalescer on the upgraded stream of a 101
// response.
func coalesceResponse(resp *http.Response) {
	if resp == nil || resp.StatusCode != http.StatusSwitchingProtocols {
		return
	}
	if rwc, ok := resp.Body.(io.ReadWriteCloser); ok {
		resp.Body = &coalescer{ReadWriteCloser: rwc}
	}
}

func (w *coalescer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	n := len(p)
	boundary := w.track(p)
	if len(w.buf) == 0 && boundary {
		n, err := w.ReadWriteCloser.Write(p)
		if err != nil {
			w.err = err
		}
		return n, err
	}
	if w.bp == nil {
		w.take(len(p) + int(min(w.left, coalesceMax)))
	}
	for len(p) > 0 {
		k := min(len(p), coalesceMax-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		if len(w.buf) == coalesceMax {
			if err := w.flush(); err != nil {
				return 0, err
			}
			if len(p) > 0 {
				w.take(len(p) + int(min(w.left, coalesceMax)))
			}
		}
	}
	if boundary && w.bp != nil {
		if err := w.flush(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// take gets a buffer for at least n bytes.
func (w *coalescer) take(n int) {
	w.bp = getBuf(n)
	w.buf = (*w.bp)[:0]
}

// release returns the buffer to its pool.
func (w *coalescer) release() {
	*w.bp = w.buf[:0]
	putBuf(w.bp)
	w.bp, w.buf = nil, nil
}

// flush writes the collected bytes and returns the buffer to its pool.
func (w *coalescer) flush() error {
	_, err := w.ReadWriteCloser.Write(w.buf)
	w.release()
	if err != nil {
		w.err = err
	}
	return err
}

// track follows the frames in p, which continue the bytes written before;
// it reports whether p ends on a frame boundary.
func (w *coalescer) track(p []byte) bool {
	for len(p) > 0 {
		if w.left > 0 {
			k := min(w.left, uint64(len(p)))
			w.left -= k
			p = p[k:]
			continue
		}
		if w.hn == 0 && len(p) >= len(w.hdr) {
			h, _ := parseFrameHeader(p) // complete: a header is at most 14 bytes
			p = p[h.size:]
			w.left = h.length
			continue
		}
		// A header that may continue in the next write.
		k := copy(w.hdr[w.hn:], p)
		h, ok := parseFrameHeader(w.hdr[:w.hn+k])
		if !ok {
			w.hn += k
			p = p[k:]
			continue
		}
		p = p[h.size-w.hn:]
		w.hn = 0
		w.left = h.length
	}
	return w.left == 0 && w.hn == 0
}

func (w *coalescer) Close() error {
	w.mu.Lock()
	if w.bp != nil {
		w.release()
	}
	w.mu.Unlock()
	return w.ReadWriteCloser.Close()
}

// The collecting buffers come from pools by size: 8 KiB, 16 KiB, …, 1 MiB,
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
