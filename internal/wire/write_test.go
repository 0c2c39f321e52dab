package wire

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// writeRecorder is a connection that keeps each write call apart.
type writeRecorder struct {
	memConn
	mu     sync.Mutex
	writes [][]byte
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writes = append(w.writes, append([]byte(nil), p...))
	w.mu.Unlock()
	return len(p), nil
}

func recorderConn() (*Conn, *writeRecorder) {
	w := &writeRecorder{}
	return &Conn{body: w, raw: w, w: w, readLimit: DefaultReadLimit}, w
}

// TestWriteOneCallPerFrame: a frame of up to 1 MiB is one write call,
// header and masked payload together; a larger one goes in 1 MiB pieces.
func TestWriteOneCallPerFrame(t *testing.T) {
	for _, size := range []int{0, 1, 125, 126, 65535, 65536, 1 << 20, 1<<20 + 1, 3 << 20} {
		c, w := recorderConn()
		payload := bytes.Repeat([]byte{0xa5}, size)
		if err := c.Write(true, payload); err != nil {
			t.Fatal(err)
		}
		if want := max(1, (size+(1<<20)-1)>>20); len(w.writes) != want {
			t.Errorf("%d bytes: %d write calls, want %d", size, len(w.writes), want)
		}
		frames := parseClientFrames(t, bytes.Join(w.writes, nil))
		if len(frames) != 1 || frames[0].op != opBinary || !frames[0].fin || !bytes.Equal(frames[0].payload, payload) {
			t.Errorf("%d bytes: frames %v", size, frames)
		}
	}
}

// TestWriteLeavesCallerBytes: masking happens in wire's own buffer.
func TestWriteLeavesCallerBytes(t *testing.T) {
	c, w := recorderConn()
	p := []byte("the caller's bytes stay as they are")
	orig := append([]byte(nil), p...)
	if err := c.Write(false, p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p, orig) {
		t.Fatalf("Write changed the caller's bytes to %q", p)
	}
	frames := parseClientFrames(t, bytes.Join(w.writes, nil))
	if len(frames) != 1 || frames[0].op != opText || string(frames[0].payload) != string(orig) {
		t.Fatalf("frames %v", frames)
	}
}

// TestWriteTextFromString: WriteText sends the string as a text message
// without a conversion to []byte (no allocation at all once the pool is
// warm).
func TestWriteTextFromString(t *testing.T) {
	c, w := recorderConn()
	s := strings.Repeat("ünïcödé ", 1000)
	if err := c.WriteText(s); err != nil {
		t.Fatal(err)
	}
	frames := parseClientFrames(t, bytes.Join(w.writes, nil))
	if len(frames) != 1 || frames[0].op != opText || string(frames[0].payload) != s {
		t.Fatalf("frames %v", frames)
	}
	discard := &Conn{body: &memConn{}, raw: &memConn{}, w: nopWriter{}, readLimit: DefaultReadLimit}
	allocs := testing.AllocsPerRun(100, func() { _ = discard.WriteText(s) })
	if allocs > 0 {
		t.Errorf("WriteText allocated %.1f times per call", allocs)
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

// TestWriteAfterClose: once the close frame is sent, data is refused
// with ErrNotConnected.
func TestWriteAfterClose(t *testing.T) {
	c, _ := recorderConn()
	c.closing.Store(true)
	if err := c.Write(true, []byte("x")); err != ErrNotConnected {
		t.Fatalf("Write after close = %v, want ErrNotConnected", err)
	}
	if err := c.WriteText("x"); err != ErrNotConnected {
		t.Fatalf("WriteText after close = %v, want ErrNotConnected", err)
	}
}

// TestMask: masking in pieces at any offset equals masking byte by byte.
func TestMask(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	for n := 0; n < 70; n++ {
		for split := 0; split <= n; split += 7 {
			b := bytes.Repeat([]byte{0xff}, n)
			pos := maskBytes(key, 0, b[:split])
			maskBytes(key, pos, b[split:])
			for i := range b {
				if b[i] != 0xff^key[i%4] {
					t.Fatalf("n=%d split=%d: byte %d = %#x", n, split, i, b[i])
				}
			}
		}
	}
}
