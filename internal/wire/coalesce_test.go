package wire

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand"
	"strings"
	"testing"
)

// recordingConn records each Write call as one chunk.
type recordingConn struct {
	writes [][]byte
	err    error
}

func (r *recordingConn) Read([]byte) (int, error) { return 0, io.EOF }
func (r *recordingConn) Close() error             { return nil }
func (r *recordingConn) Write(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	r.writes = append(r.writes, append([]byte(nil), p...))
	return len(p), nil
}

// clientFrameBytes builds a masked frame, as a client sends it.
func clientFrameBytes(op byte, payload []byte) []byte { return maskedFrame(op, payload) }

// writeInChunks writes stream to w in pieces of the given sizes (cycled),
// as coder/websocket's 4 KiB bufio.Writer does.
func writeInChunks(t *testing.T, w io.Writer, stream []byte, sizes []int) {
	t.Helper()
	for i := 0; len(stream) > 0; i++ {
		n := min(sizes[i%len(sizes)], len(stream))
		if k, err := w.Write(stream[:n]); err != nil || k != n {
			t.Fatalf("Write(%d bytes) = %d, %v", n, k, err)
		}
		stream = stream[n:]
	}
}

func TestCoalescerOneWritePerFrame(t *testing.T) {
	for _, size := range []int{0, 1, 125, 126, 4096, 65535, 65536, 1 << 20} {
		frame := clientFrameBytes(opBinary, bytes.Repeat([]byte{'x'}, size))
		for _, chunks := range [][]int{{4096}, {1}, {3, 4093}, {13, 1, 4096}} {
			rec := &recordingConn{}
			c := &coalescer{ReadWriteCloser: rec}
			writeInChunks(t, c, frame, chunks)
			if len(rec.writes) != 1 || !bytes.Equal(rec.writes[0], frame) {
				t.Fatalf("size %d, chunks %v: %d writes, want the frame in 1", size, chunks, len(rec.writes))
			}
			if c.bp != nil {
				t.Fatalf("size %d: a buffer is still held after the frame", size)
			}
		}
	}
}

func TestCoalescerSmallFramesPassThrough(t *testing.T) {
	rec := &recordingConn{}
	c := &coalescer{ReadWriteCloser: rec}
	two := append(clientFrameBytes(opText, []byte("hello")), clientFrameBytes(opPing, []byte("p"))...)
	if _, err := c.Write(two); err != nil {
		t.Fatal(err)
	}
	if len(rec.writes) != 1 || !bytes.Equal(rec.writes[0], two) {
		t.Fatalf("writes = %q, want the two frames in one write", rec.writes)
	}
	if c.bp != nil {
		t.Fatal("a buffer was taken for whole frames")
	}
}

// TestCoalescerStream: any sequence of frames, cut anywhere, comes out
// unchanged, in writes that each end on a frame boundary (or hold
// coalesceMax bytes).
func TestCoalescerStream(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for round := 0; round < 200; round++ {
		var stream []byte
		var ends []int // where frames end
		for f := rng.Intn(6) + 1; f > 0; f-- {
			n := rng.Intn(9000)
			if rng.Intn(20) == 0 {
				n = 70000 + rng.Intn(1<<16)
			}
			stream = append(stream, clientFrameBytes(byte(1+rng.Intn(2)), bytes.Repeat([]byte{byte(f)}, n))...)
			ends = append(ends, len(stream))
		}
		rec := &recordingConn{}
		c := &coalescer{ReadWriteCloser: rec}
		sizes := []int{1 + rng.Intn(20), 1 + rng.Intn(5000), 4096}
		writeInChunks(t, c, stream, sizes)
		got := bytes.Join(rec.writes, nil)
		if !bytes.Equal(got, stream) {
			t.Fatalf("round %d: the stream changed", round)
		}
		at := 0
		for _, w := range rec.writes {
			at += len(w)
			onEnd := false
			for _, e := range ends {
				onEnd = onEnd || e == at
			}
			if !onEnd && len(w) != coalesceMax {
				t.Fatalf("round %d: a write ended at %d, inside a frame", round, at)
			}
		}
	}
}

func TestCoalescerLargeFrameInPieces(t *testing.T) {
	rec := &recordingConn{}
	c := &coalescer{ReadWriteCloser: rec}
	frame := clientFrameBytes(opBinary, bytes.Repeat([]byte{'y'}, 3<<20))
	writeInChunks(t, c, frame, []int{4096})
	if !bytes.Equal(bytes.Join(rec.writes, nil), frame) {
		t.Fatal("the frame changed")
	}
	if len(rec.writes) != 3 {
		t.Fatalf("%d writes for a 3 MiB frame, want 3 (each at most %d bytes)", len(rec.writes), coalesceMax)
	}
}

func TestCoalescerWriteError(t *testing.T) {
	boom := errors.New("boom")
	rec := &recordingConn{err: boom}
	c := &coalescer{ReadWriteCloser: rec}
	frame := clientFrameBytes(opBinary, bytes.Repeat([]byte{'z'}, 10000))
	if _, err := c.Write(frame[:4096]); err != nil {
		t.Fatalf("a write inside a frame failed early: %v", err)
	}
	if _, err := c.Write(frame[4096:]); !errors.Is(err, boom) {
		t.Fatalf("the write that completes the frame: %v, want %v", err, boom)
	}
	if _, err := c.Write(clientFrameBytes(opText, nil)); !errors.Is(err, boom) {
		t.Fatalf("a later write: %v, want %v", err, boom)
	}
	if c.bp != nil {
		t.Fatal("the buffer is still held after the error")
	}
}

// chunkedMsgReader returns a message in pieces and then io.EOF, as
// coder/websocket's message reader does.
type chunkedMsgReader struct {
	data  []byte
	chunk int
}

func (r *chunkedMsgReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.chunk)], r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadSized(t *testing.T) {
	msg := []byte(strings.Repeat("abcdefgh", 1000))
	for _, announced := range []int{1, 100, len(msg) - 1, len(msg), len(msg) + 1, 3 * len(msg)} {
		got, err := readSized(&chunkedMsgReader{data: msg, chunk: 777}, announced, make([]byte, 1))
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("announced %d: got %d bytes, %v; want the %d-byte message", announced, len(got), err, len(msg))
		}
	}
}

func TestGuardRecordsMessageStarts(t *testing.T) {
	g := newGuard(nopWriteCloser{bytes.NewReader(nil)}, false)
	stream := append(frame(true, 0, opText, []byte("hi")), ping("x")...)
	stream = append(stream, frame(false, 0, opBinary, []byte("frag"))...)
	stream = append(stream, frame(true, 0, opContinuation, []byte("ment"))...)
	stream = append(stream, binFrame(make([]byte, 300))...)
	if _, v := g.scan(stream); v != nil {
		t.Fatal(v)
	}
	for _, want := range []struct {
		n     uint64
		whole bool
	}{{2, true}, {4, false}, {300, true}} {
		n, whole := g.nextLength()
		if n != want.n || whole != want.whole {
			t.Fatalf("nextLength = %d, %v; want %d, %v", n, whole, want.n, want.whole)
		}
	}
	if _, whole := g.nextLength(); whole {
		t.Fatal("a start beyond the recorded ones")
	}
}

// TestEchoIntegrity sends messages of sizes around every boundary the
// coalescer and the presized read care about (frame header forms, the
// 4 KiB buffer, coalesceMax), several in flight, and checks that each
// echo comes back byte for byte.
func TestEchoIntegrity(t *testing.T) {
	url := echoBenchServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	c, _, err := Dial(ctx, DialOptions{URL: url, Transport: NewTransport(TransportOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(CodeNormal, "")
	rng := rand.New(rand.NewSource(2))
	sizes := []int{0, 1, 125, 126, 127, 4081, 4082, 4095, 4096, 4097, 65535, 65536, 65537, coalesceMax - 14, coalesceMax - 13, coalesceMax, 3<<20 + 5}
	type sent struct {
		binary bool
		p      []byte
	}
	var want []sent
	for _, n := range sizes {
		for _, binary := range []bool{false, true} {
			p := make([]byte, n)
			for i := range p {
				p[i] = 'a' + byte(rng.Intn(26)) // valid UTF-8 for text
			}
			want = append(want, sent{binary, p})
		}
	}
	errc := make(chan error, 1)
	go func() {
		for _, m := range want {
			if err := c.Write(m.binary, m.p); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	for i, m := range want {
		got, err := c.Read()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		data := got.Data
		if !got.Binary {
			data = []byte(got.Text)
		}
		if got.Binary != m.binary || !bytes.Equal(data, m.p) {
			t.Fatalf("message %d (%d bytes, binary %v) came back changed: %d bytes, binary %v", i, len(m.p), m.binary, len(data), got.Binary)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
