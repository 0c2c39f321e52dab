package netem_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/unisocket/unisocket/netem"
)

// The benchmarks measure what the shaped link delivers against what was
// asked, over loopback TCP: the ratio metrics are 1 when the link is
// exact. They report and never assert: the machine may be busy.

// BenchmarkLatency measures round trips of one byte through an echo on
// a link that adds 50 ms; the echo itself is a loopback round trip.
func BenchmarkLatency(b *testing.B) {
	const asked = 50 * time.Millisecond
	p := startPeer(b, echo)
	n, err := netem.New(netem.Conditions{Latency: asked})
	if err != nil {
		b.Fatal(err)
	}
	c, err := n.DialContext(b.Context(), "tcp", p.addr())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 1)
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
	rtt := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(rtt)/float64(time.Millisecond), "rtt-ms")
	b.ReportMetric(float64(rtt)/float64(asked), "rtt/asked")
}

// BenchmarkBandwidthDown measures the rate at which a shaped reader gets
// a stream the peer sends as fast as it can, past the first second (the
// link's latency and the TCP start are not bandwidth).
func BenchmarkBandwidthDown(b *testing.B) {
	benchBandwidth(b, true)
}

// BenchmarkBandwidthUp measures the rate at which the peer receives what
// a shaped writer sends as fast as it can.
func BenchmarkBandwidthUp(b *testing.B) {
	benchBandwidth(b, false)
}

func benchBandwidth(b *testing.B, down bool) {
	const (
		asked = 1 << 20 // bytes per second
		size  = 2 << 20 // bytes per iteration: two seconds of link
	)
	type span struct {
		bytes int
		took  time.Duration
	}
	got := make(chan span, 1)
	p := startPeer(b, func(c net.Conn) {
		if down {
			_, _ = c.Write(make([]byte, size))
			_, _ = io.Copy(io.Discard, c)
			return
		}
		buf := make([]byte, 64<<10)
		n, err := io.ReadAtLeast(c, buf, 1)
		first, start := n, time.Now()
		for total := n; err == nil && total < size; total += n {
			n, err = c.Read(buf)
		}
		got <- span{size - first, time.Since(start)}
	})
	cond := netem.Conditions{Latency: 20 * time.Millisecond, Up: asked, Down: asked}
	n, err := netem.New(cond)
	if err != nil {
		b.Fatal(err)
	}
	var (
		elapsed time.Duration
		counted int
	)
	for b.Loop() {
		c, err := n.DialContext(b.Context(), "tcp", p.addr())
		if err != nil {
			b.Fatal(err)
		}
		if down {
			buf := make([]byte, 64<<10)
			k, err := io.ReadAtLeast(c, buf, 1)
			first, start := k, time.Now()
			for total := k; err == nil && total < size; total += k {
				k, err = c.Read(buf)
			}
			if err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(start)
			counted += size - first
		} else {
			if _, err := c.Write(make([]byte, size)); err != nil {
				b.Fatal(err)
			}
			s := <-got
			elapsed += s.took
			counted += s.bytes
		}
		_ = c.Close()
	}
	// The bytes of the first read are not counted: the clock starts
	// when they arrive.
	rate := float64(counted) / elapsed.Seconds()
	b.ReportMetric(rate/1e3, "kB/s")
	b.ReportMetric(rate/asked, "rate/asked")
}
