package testutil

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestBufferWaitFor: a wait ends at the write that makes the content
// match, and returns the match.
func TestBufferWaitFor(t *testing.T) {
	var b Buffer
	go func() {
		for i := range 100 {
			fmt.Fprintf(&b, "line %d\n", i)
		}
	}()
	if got := b.WaitFor(t, "the buffer", regexp.MustCompile(`line 9\d`)); got != "line 90" {
		t.Fatalf("WaitFor returned %q, want \"line 90\"", got)
	}
}

// TestProxyCONNECT: a CONNECT tunnel reaches Route whatever host it names,
// and the request is recorded.
func TestProxyCONNECT(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			_, _ = c.Write([]byte("hello from the target"))
			_ = c.Close()
		}
	}()
	p := (&Proxy{Route: ln.Addr().String()}).Start(t)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(Guard))
	if _, err := c.Write([]byte("CONNECT ws.test:80 HTTP/1.1\r\nHost: ws.test:80\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	buf := make([]byte, 256)
	for range 100 {
		n, err := c.Read(buf)
		got.Write(buf[:n])
		if err != nil || strings.HasSuffix(got.String(), "target") {
			break
		}
	}
	if want := "HTTP/1.1 200 Connection established\r\n\r\nhello from the target"; got.String() != want {
		t.Fatalf("through the proxy: %q, want %q", got.String(), want)
	}
	if r := p.Requests(); len(r) != 1 || r[0] != "CONNECT ws.test:80" {
		t.Fatalf("recorded %q", r)
	}
}
