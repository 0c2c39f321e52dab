package wire

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The benchmarks in this file compare a Conn with a raw coder/websocket
// client: the same loopback echo server, the same messages, one round
// trip at a time on one goroutine (write, then read the echo). Both check
// text for UTF-8 and return a fresh []byte per message. The module's own
// benchmark driver (bench/) measures the whole Go API and other libraries.

// echoBenchSizes are the message sizes of the benchmarks.
var echoBenchSizes = []int{16, 1 << 10, 64 << 10, 1 << 20}

// echoBenchServer starts a loopback WebSocket echo server (text stays
// text, binary stays binary) and returns its ws:// URL.
func echoBenchServer(tb testing.TB) string {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(64 << 20)
		for {
			typ, p, err := c.Read(context.Background())
			if err != nil {
				return
			}
			if err := c.Write(context.Background(), typ, p); err != nil {
				return
			}
		}
	}))
	tb.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// echoBenchConn is one side of the comparison.
type echoBenchConn interface {
	roundTrip(binary bool, p []byte) (int, error)
	close()
}

type echoBenchWire struct{ c *Conn }

func (e echoBenchWire) roundTrip(binary bool, p []byte) (int, error) {
	if err := e.c.Write(binary, p); err != nil {
		return 0, err
	}
	m, err := e.c.Read()
	if err != nil {
		return 0, err
	}
	if m.Binary {
		return len(m.Data), nil
	}
	return len(m.Text), nil
}

func (e echoBenchWire) close() { _ = e.c.Close(CodeNormal, "") }

type echoBenchCoder struct{ c *websocket.Conn }

func (e echoBenchCoder) roundTrip(binary bool, p []byte) (int, error) {
	typ := websocket.MessageText
	if binary {
		typ = websocket.MessageBinary
	}
	if err := e.c.Write(context.Background(), typ, p); err != nil {
		return 0, err
	}
	_, b, err := e.c.Read(context.Background())
	return len(b), err
}

func (e echoBenchCoder) close() { _ = e.c.Close(websocket.StatusNormalClosure, "") }

func echoBenchDial(tb testing.TB, url string, raw bool) echoBenchConn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if raw {
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			tb.Fatal(err)
		}
		c.SetReadLimit(64 << 20)
		return echoBenchCoder{c}
	}
	c, _, err := Dial(ctx, DialOptions{URL: url, Transport: NewTransport(TransportOptions{})})
	if err != nil {
		tb.Fatal(err)
	}
	return echoBenchWire{c}
}

func echoBenchName(size int, binary bool) string {
	typ := "text"
	if binary {
		typ = "binary"
	}
	return fmt.Sprintf("size=%d/%s", size, typ)
}

// BenchmarkEchoRoundTrip measures one round trip of a Conn and of raw
// coder/websocket.
func BenchmarkEchoRoundTrip(b *testing.B) {
	url := echoBenchServer(b)
	for _, size := range echoBenchSizes {
		p := bytes.Repeat([]byte{'x'}, size)
		for _, binary := range []bool{false, true} {
			for _, raw := range []bool{true, false} {
				impl := "wire"
				if raw {
					impl = "coder"
				}
				b.Run(echoBenchName(size, binary)+"/impl="+impl, func(b *testing.B) {
					c := echoBenchDial(b, url, raw)
					defer c.close()
					b.SetBytes(int64(2 * size))
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if n, err := c.roundTrip(binary, p); err != nil || n != size {
							b.Fatalf("round trip: %d bytes, %v", n, err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkEchoRatio runs the same round trips on raw coder/websocket and
// on a Conn, alternately, 7 rounds per iteration, and reports the median
// of the per-round throughput ratios, Conn over raw (raw time over Conn
// time): 1.00 means the wrapper costs nothing, 0.95 that it is 5% slower.
// The target is at least 0.95 on every row. Neighbouring rounds share the
// machine's state, so the ratio holds up on a noisy machine where the
// ns/op figures do not. Run it with
//
//	go test -run '^$' -bench EchoRatio -benchtime 3x ./internal/wire
func BenchmarkEchoRatio(b *testing.B) {
	url := echoBenchServer(b)
	for _, size := range echoBenchSizes {
		for _, binary := range []bool{false, true} {
			b.Run(echoBenchName(size, binary), func(b *testing.B) {
				p := bytes.Repeat([]byte{'x'}, size)
				n := min(300, max(16, (2<<20)/size))
				conns := [2]echoBenchConn{echoBenchDial(b, url, true), echoBenchDial(b, url, false)}
				defer conns[0].close()
				defer conns[1].close()
				var ratios []float64
				for i := 0; i < b.N; i++ {
					for round := 0; round < 7; round++ {
						var d [2]time.Duration
						for k, c := range conns {
							t0 := time.Now()
							for j := 0; j < n; j++ {
								if got, err := c.roundTrip(binary, p); err != nil || got != size {
									b.Fatalf("round trip: %d bytes, %v", got, err)
								}
							}
							d[k] = time.Since(t0)
						}
						ratios = append(ratios, float64(d[0])/float64(d[1]))
					}
				}
				sort.Float64s(ratios)
				med := ratios[len(ratios)/2]
				b.ReportMetric(med, "wire/coder")
				b.Logf("%s: throughput wire/coder, median of %d = %.3f (range %.3f–%.3f)",
					echoBenchName(size, binary), len(ratios), med, ratios[0], ratios[len(ratios)-1])
			})
		}
	}
}

// TestEchoIntegrity sends messages of sizes around every boundary the
// writer and the reader care about (frame header forms, the read buffer
// and half of it, the pre-size cap, the 1 MiB write piece), several in
// flight, and checks that each echo comes back byte for byte.
func TestEchoIntegrity(t *testing.T) {
	url := echoBenchServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	c, _, err := Dial(ctx, DialOptions{URL: url, Transport: NewTransport(TransportOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(CodeNormal, "")
	rng := rand.New(rand.NewPCG(2, 2))
	sizes := []int{0, 1, 125, 126, 127, readBufSize/2 - 1, readBufSize / 2, readBufSize - 14, readBufSize, readBufSize + 1,
		65535, presizeMax, presizeMax + 1, 4*presizeMax + 1, writeChunk - 1, writeChunk, writeChunk + 1, 3<<20 + 5}
	type sent struct {
		binary bool
		p      []byte
	}
	var want []sent
	for _, n := range sizes {
		for _, binary := range []bool{false, true} {
			p := make([]byte, n)
			for i := range p {
				p[i] = 'a' + byte(rng.IntN(26)) // valid UTF-8 for text
			}
			want = append(want, sent{binary, p})
		}
	}
	errc := make(chan error, 1)
	go func() {
		for _, m := range want {
			var err error
			if m.binary {
				err = c.Write(true, m.p)
			} else {
				err = c.WriteText(string(m.p))
			}
			if err != nil {
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

// BenchmarkRead reads binary messages a raw server sends as fast as it
// can, over loopback.
func BenchmarkRead(b *testing.B) {
	for _, size := range []int{128, 16 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			srv := newRawServer(b, nil)
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
				for sent := 0; sent < b.N; sent += batch {
					k := min(batch, b.N-sent)
					if _, err := p.c.Write(chunk[:k*len(one)]); err != nil {
						return
					}
				}
				_, _ = p.c.Write(closeFrame(1000, ""))
				_, _ = io.Copy(io.Discard, p.c)
			}()
			ctx, cancel := context.WithTimeout(context.Background(), safety)
			defer cancel()
			c, _, err := Dial(ctx, DialOptions{URL: srv.url, Transport: NewTransport(TransportOptions{})})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m, err := c.Read()
				if err != nil || len(m.Data) != size {
					b.Fatalf("Read %d: %v (%d bytes)", i, err, len(m.Data))
				}
			}
			b.StopTimer()
			if _, err := c.Read(); err == nil {
				b.Fatal("no close after the messages")
			}
		})
	}
}
