package uni_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

// The benchmarks in this file compare the Go API with raw
// coder/websocket, over loopback against the embedded echo server
// (package server). Every client is driven the way the Go API works: a
// reader goroutine receives each message as a freshly owned value and
// hands it to the goroutine that sends. The APIs:
//
//   - coder:  raw coder/websocket, Read on a reader goroutine, a channel;
//   - uni:    App.Dial, SocketTask.Write and SocketTask.Receive;
//   - uni-cb: App.ConnectSocket and an OnMessage listener (the App's
//     Executor), SocketTask.Write.
//
// The benchmark driver in bench/ (a module of its own) measures more:
// pipelining, other libraries, the JavaScript runtime, connect rate and
// memory.

var benchSizes = []int{16, 1 << 10, 64 << 10, 1 << 20}

func benchServer(tb testing.TB) string {
	tb.Helper()
	srv, err := server.Start(server.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	return srv.URL()
}

// benchConn is one connection under test. send sends the message, recv
// returns the length of the next one.
type benchConn interface {
	send() error
	recv() (int, error)
	close()
}

type benchCoder struct {
	c   *websocket.Conn
	typ websocket.MessageType
	p   []byte
	ch  chan benchMsg
}

type benchMsg struct {
	n   int
	err error
}

func (c *benchCoder) send() error { return c.c.Write(context.Background(), c.typ, c.p) }

func (c *benchCoder) recv() (int, error) {
	m := <-c.ch
	return m.n, m.err
}

func (c *benchCoder) close() {
	_ = c.c.Close(websocket.StatusNormalClosure, "")
	for m := range c.ch {
		if m.err != nil {
			return
		}
	}
}

type benchUni struct {
	t    *uni.SocketTask
	data any
}

func (c *benchUni) send() error { return c.t.Write(context.Background(), c.data) }

func (c *benchUni) recv() (int, error) {
	m, err := c.t.Receive(context.Background())
	if err != nil {
		return 0, err
	}
	return benchLen(m.Data), nil
}

func (c *benchUni) close() { _ = c.t.Shutdown(context.Background(), 1000, "") }

type benchUniCB struct {
	benchUni
	ch chan benchMsg
}

func (c *benchUniCB) recv() (int, error) {
	m := <-c.ch
	return m.n, m.err
}

func (c *benchUniCB) close() {
	c.benchUni.close()
	for m := range c.ch {
		if m.err != nil {
			return
		}
	}
}

func benchLen(d any) int {
	switch d := d.(type) {
	case string:
		return len(d)
	case []byte:
		return len(d)
	}
	return -1
}

var errBenchClosed = errors.New("closed")

func benchDial(tb testing.TB, api, url string, binary bool, p []byte) benchConn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), safetyNet)
	defer cancel()
	var data any = string(p)
	if binary {
		data = p
	}
	switch api {
	case "coder":
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			tb.Fatal(err)
		}
		c.SetReadLimit(64 << 20)
		bc := &benchCoder{c: c, typ: websocket.MessageText, p: p, ch: make(chan benchMsg, 8)}
		if binary {
			bc.typ = websocket.MessageBinary
		}
		go func() {
			for {
				_, b, err := c.Read(context.Background())
				if err != nil {
					bc.ch <- benchMsg{err: err}
					return
				}
				bc.ch <- benchMsg{n: len(b)}
			}
		}()
		return bc
	case "uni":
		t, err := uni.NewApp(uni.Config{}).Dial(ctx, uni.ConnectSocketOptions{URL: url})
		if err != nil {
			tb.Fatal(err)
		}
		return &benchUni{t: t, data: data}
	case "uni-cb":
		app := uni.NewApp(uni.Config{})
		c := &benchUniCB{benchUni: benchUni{data: data}, ch: make(chan benchMsg, 8)}
		opened := make(chan error, 1)
		app.Run(func() {
			c.t = app.ConnectSocket(uni.ConnectSocketOptions{URL: url})
			c.t.OnOpen(func(uni.OnOpenResult) { opened <- nil })
			c.t.OnError(func(r uni.OnErrorResult) {
				select {
				case opened <- errors.New(r.ErrMsg):
				default:
				}
			})
			c.t.OnMessage(func(r uni.OnMessageResult) { c.ch <- benchMsg{n: benchLen(r.Data)} })
			c.t.OnClose(func(uni.OnCloseResult) { c.ch <- benchMsg{err: errBenchClosed} })
		})
		select {
		case err := <-opened:
			if err != nil {
				tb.Fatal(err)
			}
		case <-ctx.Done():
			tb.Fatal("no open event")
		}
		return c
	}
	tb.Fatalf("unknown api %q", api)
	return nil
}

func benchName(size int, binary bool) string {
	typ := "text"
	if binary {
		typ = "binary"
	}
	return fmt.Sprintf("size=%d/%s", size, typ)
}

func benchRoundTrips(tb testing.TB, c benchConn, size, n int) {
	for i := 0; i < n; i++ {
		if err := c.send(); err != nil {
			tb.Fatal(err)
		}
		if got, err := c.recv(); err != nil || got != size {
			tb.Fatalf("echo: %d bytes, %v", got, err)
		}
	}
}

// BenchmarkEcho measures one round trip (send, wait for the echo) of each
// API. The listener path (uni-cb) against the Receive path (uni) is the
// cost of the App's Executor per message.
func BenchmarkEcho(b *testing.B) {
	url := benchServer(b)
	for _, size := range benchSizes {
		p := bytes.Repeat([]byte{'x'}, size)
		for _, binary := range []bool{false, true} {
			for _, api := range []string{"coder", "uni", "uni-cb"} {
				b.Run(benchName(size, binary)+"/api="+api, func(b *testing.B) {
					c := benchDial(b, api, url, binary, p)
					defer c.close()
					b.SetBytes(int64(2 * size))
					b.ReportAllocs()
					b.ResetTimer()
					benchRoundTrips(b, c, size, b.N)
				})
			}
		}
	}
}

// BenchmarkEchoRatio runs the same round trips with raw coder/websocket
// and with the Go API (Receive path), alternately, 7 rounds per
// iteration, and reports the median of the per-round throughput ratios,
// uni over coder: 1.00 means the Go API costs nothing, 0.95 that it is 5%
// slower (the target is at least 0.95 on every row). Neighbouring rounds
// share the machine's state, so the ratio holds up on a noisy machine
// where ns/op does not. Run it with
//
//	go test -run '^$' -bench EchoRatio -benchtime 3x ./uni
func BenchmarkEchoRatio(b *testing.B) {
	url := benchServer(b)
	for _, size := range benchSizes {
		for _, binary := range []bool{false, true} {
			b.Run(benchName(size, binary), func(b *testing.B) {
				p := bytes.Repeat([]byte{'x'}, size)
				n := min(300, max(16, (2<<20)/size))
				conns := [2]benchConn{benchDial(b, "coder", url, binary, p), benchDial(b, "uni", url, binary, p)}
				defer conns[0].close()
				defer conns[1].close()
				var ratios []float64
				for i := 0; i < b.N; i++ {
					for round := 0; round < 7; round++ {
						var d [2]time.Duration
						for k, c := range conns {
							t0 := time.Now()
							benchRoundTrips(b, c, size, n)
							d[k] = time.Since(t0)
						}
						ratios = append(ratios, float64(d[0])/float64(d[1]))
					}
				}
				sort.Float64s(ratios)
				med := ratios[len(ratios)/2]
				b.ReportMetric(med, "uni/coder")
				b.Logf("%s: throughput uni/coder, median of %d = %.3f (range %.3f–%.3f)",
					benchName(size, binary), len(ratios), med, ratios[0], ratios[len(ratios)-1])
			})
		}
	}
}
