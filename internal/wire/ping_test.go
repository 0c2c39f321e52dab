package wire

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestOnPing: the hook hears each ping's payload, in order, before the
// pong that answers it goes out.
func TestOnPing(t *testing.T) {
	s := newRawServer(t, nil)
	heard := make(chan string, 4)
	p, conn, results := s.connect(t, "", nil, DialOptions{OnPing: func(b []byte) { heard <- string(b) }})
	p.send(ping("first"), ping(""), ping(strings.Repeat("x", 125)))
	for _, want := range []string{"first", "", strings.Repeat("x", 125)} {
		select {
		case got := <-heard:
			if got != want {
				t.Fatalf("OnPing heard %q, want %q", got, want)
			}
		case <-time.After(safety):
			t.Fatalf("OnPing did not hear the ping %q", want)
		}
		f, err := p.read()
		if err != nil || f.op != opPong || string(f.payload) != want {
			t.Fatalf("client answered %v (%v), want a pong with %q", f, err, want)
		}
	}
	closeBoth(p, conn, results)
}

// TestPingPayload: the ping carries the caller's bytes and returns when
// the pong with those bytes arrives, not at an unrelated pong.
func TestPingPayload(t *testing.T) {
	s := newRawServer(t, nil)
	p, conn, results := s.connect(t, "", nil, DialOptions{})
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), safety)
		defer cancel()
		done <- conn.PingPayload(ctx, []byte("hello"))
	}()
	f, err := p.read()
	if err != nil || f.op != opPing || string(f.payload) != "hello" {
		t.Fatalf("client sent %v (%v), want a ping with \"hello\"", f, err)
	}
	p.send(frame(true, 0, opPong, []byte("other")))
	select {
	case err := <-done:
		t.Fatalf("PingPayload returned %v at a pong with another payload", err)
	case <-time.After(50 * time.Millisecond):
	}
	p.send(frame(true, 0, opPong, []byte("hello")))
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("PingPayload: %v", err)
		}
	case <-time.After(safety):
		t.Fatal("PingPayload did not return after its pong")
	}
	closeBoth(p, conn, results)
}

// TestPong: an unsolicited pong reaches the server with its payload.
func TestPong(t *testing.T) {
	s := newRawServer(t, nil)
	p, conn, results := s.connect(t, "", nil, DialOptions{})
	if err := conn.Pong([]byte("beat")); err != nil {
		t.Fatalf("Pong: %v", err)
	}
	f, err := p.read()
	if err != nil || f.op != opPong || string(f.payload) != "beat" {
		t.Fatalf("client sent %v (%v), want a pong with \"beat\"", f, err)
	}
	closeBoth(p, conn, results)
	if err := conn.Pong(nil); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("Pong after the end: %v, want ErrNotConnected", err)
	}
}

// TestControlPayloadTooLong: a payload over 125 bytes is refused before
// anything is sent, with an error that names the frame and the lengths.
func TestControlPayloadTooLong(t *testing.T) {
	s := newRawServer(t, nil)
	p, conn, results := s.connect(t, "", nil, DialOptions{})
	long := make([]byte, 126)
	var ce *ControlPayloadError
	if err := conn.PingPayload(context.Background(), long); !errors.As(err, &ce) || ce.Frame != "ping" || ce.Len != 126 {
		t.Fatalf("PingPayload(126 bytes) = %v, want a *ControlPayloadError for a ping of 126", err)
	} else if want := "a ping's payload is at most 125 bytes; this one is 126"; err.Error() != want {
		t.Fatalf("error %q, want %q", err, want)
	}
	if err := conn.Pong(long); !errors.As(err, &ce) || ce.Frame != "pong" {
		t.Fatalf("Pong(126 bytes) = %v, want a *ControlPayloadError for a pong", err)
	}
	if before := closeBoth(p, conn, results); len(before) != 0 {
		t.Fatalf("client sent %v before its close frame, want nothing", before)
	}
}

// closeBoth closes the client and answers its close frame, and returns
// the frames the client sent before it.
func closeBoth(p *peer, conn *Conn, results <-chan readResult) []clientFrame {
	p.t.Helper()
	closed := make(chan error, 1)
	go func() { closed <- conn.Close(CodeNormal, "") }()
	before, closing := p.untilClose()
	if closing != nil {
		p.send(closeFrame(CodeNormal, ""))
	}
	waitEnd(p.t, results)
	if err := <-closed; err != nil {
		p.t.Errorf("Close: %v", err)
	}
	return before
}
