package wire

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"testing"
	"time"
	"unicode/utf8"
)

// chunkReader returns its data in pieces whose sizes come from rng (1 to
// max bytes), as a TCP connection may.
type chunkReader struct {
	data []byte
	rng  *rand.Rand
	max  int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := 1 + r.rng.IntN(r.max)
	n = min(n, len(p), len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

type nopWriteCloser struct{ io.Reader }

func (nopWriteCloser) Write(p []byte) (int, error) { return len(p), nil }
func (nopWriteCloser) Close() error                { return nil }

// drain reads g to its end through buffers of random sizes.
func drain(t testing.TB, g *guard, rng *rand.Rand) ([]byte, error) {
	var out []byte
	for i := 0; i < 1<<20; i++ {
		p := make([]byte, 1+rng.IntN(300))
		n, err := g.Read(p)
		out = append(out, p[:n]...)
		if err != nil {
			return out, err
		}
		if n == 0 {
			t.Fatal("guard returned 0 bytes and no error")
		}
	}
	t.Fatal("guard did not end")
	return nil, nil
}

// validStream builds a random valid sequence of server frames and returns
// it with the offsets at which frames start.
func validStream(rng *rand.Rand, nframes int) (stream []byte, starts []int, fragmented bool) {
	for i := 0; i < nframes; i++ {
		starts = append(starts, len(stream))
		switch k := rng.IntN(6); {
		case k == 0:
			stream = append(stream, frame(true, 0, opPing, randBytes(rng, rng.IntN(126)))...)
		case k == 1:
			stream = append(stream, frame(true, 0, opPong, randBytes(rng, rng.IntN(126)))...)
		default:
			size := rng.IntN(300)
			if rng.IntN(20) == 0 {
				size = 70000 // a 64-bit length
			}
			op := byte(opContinuation)
			if !fragmented {
				op = byte(opText + rng.IntN(2))
			}
			fin := rng.IntN(3) != 0
			stream = append(stream, frame(fin, 0, op, randBytes(rng, size))...)
			fragmented = !fin
		}
	}
	starts = append(starts, len(stream))
	stream = append(stream, closeFrame(1000, "done")...)
	return stream, starts, fragmented
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestGuardPassesValidStreams: a valid stream comes out byte for byte,
// however the connection and the reader cut it.
func TestGuardPassesValidStreams(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		stream, _, _ := validStream(rng, 1+rng.IntN(30))
		g := newGuard(nopWriteCloser{&chunkReader{data: stream, rng: rng, max: 1 + rng.IntN(200)}}, false)
		out, err := drain(t, g, rng)
		if err != io.EOF {
			t.Fatalf("seed %d: err = %v", seed, err)
		}
		if v := g.Violation(); v != nil {
			t.Fatalf("seed %d: violation %v on a valid stream", seed, v)
		}
		if !bytes.Equal(out, stream) {
			t.Fatalf("seed %d: output differs from input (%d vs %d bytes)", seed, len(out), len(stream))
		}
	}
}

// TestGuardStopsAtViolation: the bytes before the offending frame come
// out unchanged, then the synthetic close frame, then the end.
func TestGuardStopsAtViolation(t *testing.T) {
	bad := []struct {
		name string
		f    []byte
		code int
	}{
		{"masked", maskedFrame(opBinary, []byte("x")), 1002},
		{"rsv2", frame(true, 2, opText, nil), 1002},
		{"opcode", frame(true, 0, 0xb, nil), 1002},
		{"big-ping", frame(true, 0, opPing, make([]byte, 126)), 1002},
		{"close-utf8", closeFrame(1000, "\xff"), 1007},
		{"close-code", closeFrame(1005, ""), 1002},
	}
	for seed := uint64(0); seed < 60; seed++ {
		b := bad[seed%uint64(len(bad))]
		rng := rand.New(rand.NewPCG(seed, 2))
		stream, starts, fragmented := validStream(rng, 1+rng.IntN(10))
		// Replace the final close frame by the bad frame, after finishing
		// a fragmented message (a new one inside it is a violation too).
		prefix := stream[:starts[len(starts)-1]]
		if fragmented {
			prefix = append(prefix, frame(true, 0, opContinuation, []byte("end"))...)
		}
		input := append(append([]byte(nil), prefix...), b.f...)
		input = append(input, text("never seen")...)
		g := newGuard(nopWriteCloser{&chunkReader{data: input, rng: rng, max: 1 + rng.IntN(64)}}, false)
		out, err := drain(t, g, rng)
		if err != io.EOF {
			t.Fatalf("%s seed %d: err = %v", b.name, seed, err)
		}
		v := g.Violation()
		if v == nil || v.Code != b.code {
			t.Fatalf("%s seed %d: violation = %v, want code %d", b.name, seed, v, b.code)
		}
		want := append(append([]byte(nil), prefix...), closeFrameBytes(v.Code, v.Reason)...)
		if !bytes.Equal(out, want) {
			t.Fatalf("%s seed %d: output is not the valid prefix plus a close frame", b.name, seed)
		}
	}
}

// TestCloseFrameBytes: the synthetic frame is a valid close frame whose
// reason is cut to 123 bytes at a rune boundary.
func TestCloseFrameBytes(t *testing.T) {
	for _, reason := range []string{"", "short", string(bytes.Repeat([]byte("é"), 100))} {
		f := closeFrameBytes(1002, reason)
		g := newGuard(nopWriteCloser{bytes.NewReader(f)}, false)
		out, _ := io.ReadAll(g)
		if v := g.Violation(); v != nil || !bytes.Equal(out, f) {
			t.Errorf("closeFrameBytes(%q) is not a valid close frame: %v", reason, v)
		}
		code, got, v := checkClosePayload(f[2:])
		if v != nil || code != 1002 || len(got) > 123 || !utf8.ValidString(got) {
			t.Errorf("closeFrameBytes(%q): code %d reason %q (%v)", reason, code, got, v)
		}
	}
}

// closeOracle is an independent statement of RFC 6455's close payload
// rules, for the fuzz target.
func closeOracle(p []byte) (violation int) {
	if len(p) == 0 {
		return 0
	}
	if len(p) == 1 || len(p) > 125 {
		return 1002
	}
	code := int(p[0])<<8 | int(p[1])
	valid := code == 1000 || code == 1001 || code == 1002 || code == 1003 ||
		(code >= 1007 && code <= 1014) || (code >= 3000 && code < 5000)
	if !valid {
		return 1002
	}
	if !utf8.Valid(p[2:]) {
		return 1007
	}
	return 0
}

// FuzzCheckClosePayload: close frame parsing never panics and agrees with
// the oracle; an accepted payload has a sendable code and a UTF-8 reason
// of at most 123 bytes.
func FuzzCheckClosePayload(f *testing.F) {
	for _, seed := range [][]byte{
		nil, {0x03}, {0x03, 0xe8}, closePayload(1000, "bye"), closePayload(4001, "bye"),
		closePayload(1005, ""), closePayload(999, ""), closePayload(5000, ""), closePayload(1000, "\xff"),
		closePayload(1000, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"),
		closePayload(1000, string(bytes.Repeat([]byte("*"), 124))),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		code, reason, v := checkClosePayload(p)
		want := closeOracle(p)
		switch {
		case v == nil && want != 0:
			t.Fatalf("accepted %x, oracle says %d", p, want)
		case v != nil && v.Code != want:
			t.Fatalf("violation %d for %x, oracle says %d", v.Code, p, want)
		case v == nil && len(p) == 0 && code != CodeNoStatus:
			t.Fatalf("empty payload gave code %d", code)
		case v == nil && len(p) > 0 && (!ValidWireCloseCode(code) || !utf8.ValidString(reason) || len(reason) > 123):
			t.Fatalf("accepted code %d reason %q", code, reason)
		case v != nil && (len(v.Reason) > 123 || !utf8.ValidString(v.Reason)):
			t.Fatalf("violation reason %q cannot be sent", v.Reason)
		}
	})
}

// FuzzGuard: whatever the server sends, cut however, the guard never
// panics and passes on either the input unchanged, or a prefix of it that
// ends at a frame boundary followed by its close frame.
func FuzzGuard(f *testing.F) {
	f.Add([]byte("\x81\x05Hello"), uint64(1), false)
	f.Add(append(text("a"), maskedFrame(opText, []byte("b"))...), uint64(2), false)
	f.Add(append(frame(false, 0, opText, []byte("fr")), append(ping("p"), frame(true, 0, opContinuation, []byte("ag"))...)...), uint64(3), false)
	f.Add(closeFrame(1000, "\xff"), uint64(4), false)
	f.Add(frame(true, 4, opText, []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}), uint64(5), true)
	f.Add([]byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1}, uint64(6), false)
	f.Add(frame(true, 0, opPing, make([]byte, 126)), uint64(7), false)
	f.Fuzz(func(t *testing.T, input []byte, seed uint64, deflate bool) {
		rng := rand.New(rand.NewPCG(seed, 3))
		g := newGuard(nopWriteCloser{&chunkReader{data: input, rng: rng, max: 1 + rng.IntN(64)}}, deflate)
		out, err := drain(t, g, rng)
		if err != io.EOF {
			t.Fatalf("err = %v", err)
		}
		v := g.Violation()
		if v == nil {
			if !bytes.Equal(out, input) {
				t.Fatalf("no violation, but the output differs from the input")
			}
			return
		}
		if v.Code != CodeProtocolError && v.Code != CodeInvalidPayload {
			t.Fatalf("violation code %d", v.Code)
		}
		tail := closeFrameBytes(v.Code, v.Reason)
		if !bytes.HasSuffix(out, tail) {
			t.Fatalf("output does not end with the close frame")
		}
		head := out[:len(out)-len(tail)]
		if !bytes.HasPrefix(input, head) {
			t.Fatalf("output is not a prefix of the input")
		}
		// The prefix is whole frames: a fresh guard passes it unchanged.
		g2 := newGuard(nopWriteCloser{bytes.NewReader(head)}, deflate)
		out2, _ := io.ReadAll(g2)
		if g2.Violation() != nil || !bytes.Equal(out2, head) || g2.remaining != 0 {
			t.Fatalf("the passed prefix does not end at a frame boundary")
		}
	})
}

// ---- the guard's cost ----

// benchServer sends n binary messages of size bytes as fast as it can,
// then a close frame.
func benchServer(tb testing.TB, size, n int) string {
	srv := newRawServer(tb, nil)
	go func() {
		p, err := srv.handshake("", nil)
		if err != nil {
			return
		}
		defer p.c.Close()
		_ = p.c.SetDeadline(time.Time{})
		one := binFrame(bytes.Repeat([]byte{0xab}, size))
		batch := max(1, (256<<10)/len(one))
		chunk := bytes.Repeat(one, batch)
		for sent := 0; sent < n; sent += batch {
			k := min(batch, n-sent)
			if _, err := p.c.Write(chunk[:k*len(one)]); err != nil {
				return
			}
		}
		_, _ = p.c.Write(closeFrame(1000, ""))
		_, _ = io.Copy(io.Discard, p.c)
	}()
	return srv.url
}

// readN dials a benchServer and reads n messages, timing the reads.
func readN(tb testing.TB, size, n int, guarded bool, start, stop func()) {
	url := benchServer(tb, size, n)
	ctx := context.Background()
	if !guarded {
		ctx = context.WithValue(ctx, guardOffKey{}, true)
	}
	c, _, err := Dial(ctx, DialOptions{URL: url, Transport: NewTransport(TransportOptions{})})
	if err != nil {
		tb.Fatal(err)
	}
	if (c.guard != nil) != guarded {
		tb.Fatalf("guard present = %v, want %v", c.guard != nil, guarded)
	}
	start()
	for i := 0; i < n; i++ {
		m, err := c.Read()
		if err != nil || len(m.Data) != size {
			tb.Fatalf("Read %d: %v (%d bytes)", i, err, len(m.Data))
		}
	}
	stop()
	if _, err := c.Read(); err == nil {
		tb.Fatal("no close after the messages")
	}
}

// BenchmarkRead reads binary messages over loopback with and without the
// guard.
func BenchmarkRead(b *testing.B) {
	for _, size := range []int{128, 16 << 10} {
		for _, guarded := range []bool{false, true} {
			b.Run(fmt.Sprintf("size=%d/guard=%v", size, guarded), func(b *testing.B) {
				b.SetBytes(int64(size))
				b.ReportAllocs()
				readN(b, size, b.N, guarded, b.ResetTimer, b.StopTimer)
			})
		}
	}
}

// BenchmarkGuardRatio reads the same number of messages without and with
// the guard, alternately, 7 times per iteration, and reports the median
// ratio of the read times, guarded over unguarded: 1.00 means the guard
// costs nothing. Run it with
//
//	go test -run '^$' -bench GuardRatio -benchtime 3x ./internal/wire
func BenchmarkGuardRatio(b *testing.B) {
	for _, tc := range []struct{ size, n int }{{128, 50000}, {16 << 10, 5000}} {
		b.Run(fmt.Sprintf("size=%d", tc.size), func(b *testing.B) {
			var ratios []float64
			for i := 0; i < b.N; i++ {
				for round := 0; round < 7; round++ {
					var d [2]time.Duration
					for k, guarded := range []bool{false, true} {
						var t0 time.Time
						readN(b, tc.size, tc.n, guarded, func() { t0 = time.Now() }, func() { d[k] = time.Since(t0) })
					}
					ratios = append(ratios, float64(d[1])/float64(d[0]))
				}
			}
			sort.Float64s(ratios)
			med := ratios[len(ratios)/2]
			b.ReportMetric(med, "guarded/unguarded")
			b.Logf("%d-byte messages: read time guarded/unguarded, median of %d = %.3f (range %.3f–%.3f)",
				tc.size, len(ratios), med, ratios[0], ratios[len(ratios)-1])
		})
	}
}

// TestGuardInstalled: Dial puts the guard on plain and TLS connections and
// the benchmark's switch takes it off.
func TestGuardInstalled(t *testing.T) {
	srv := newRawServer(t, nil)
	for _, off := range []bool{false, true} {
		ch := srv.serve("", nil)
		ctx := context.Background()
		if off {
			ctx = context.WithValue(ctx, guardOffKey{}, true)
		}
		c, _, err := Dial(ctx, DialOptions{URL: srv.url})
		if err != nil {
			t.Fatal(err)
		}
		r := <-ch
		if r.err != nil {
			t.Fatal(r.err)
		}
		if (c.guard == nil) != off {
			t.Errorf("guard off=%v: guard = %v", off, c.guard)
		}
		c.Abort()
		_ = r.p.c.Close()
	}
}

func TestDeflateNegotiated(t *testing.T) {
	for v, want := range map[string]bool{
		"": false, "permessage-deflate": true, "x-webkit-deflate-frame": false,
		"permessage-deflate; client_no_context_takeover": true, " Permessage-Deflate ;a=b": true,
		"foo, permessage-deflate": true,
	} {
		h := http.Header{}
		if v != "" {
			h.Set("Sec-WebSocket-Extensions", v)
		}
		if got := deflateNegotiated(h); got != want {
			t.Errorf("deflateNegotiated(%q) = %v, want %v", v, got, want)
		}
	}
}
