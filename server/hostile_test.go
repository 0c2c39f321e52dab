package server_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/unisocket/unisocket/server"
)

// firstDrop returns the client message (from 1) on which chaos= with
// seed and drop p cuts the k-th connection of that seed, from the
// documented source PCG(seed, k); 0 if none of the first max does.
func firstDrop(seed, k uint64, p float64, max int) int {
	r := rand.New(rand.NewPCG(seed, k))
	for i := 1; i <= max; i++ {
		if r.Float64() < p {
			return i
		}
	}
	return 0
}

func TestChaosDropsBySeed(t *testing.T) {
	srv, logs := start(t, server.Options{})
	const seed, p = 42, 0.1
	for k := range uint64(2) {
		want := firstDrop(seed, k, p, 50)
		if want == 0 {
			t.Fatalf("seed %d never drops within 50 messages; pick another", seed)
		}
		c := dial(t, srv.URL()+"/?chaos=seed:42,drop:0.1", nil)
		ctx := testContext(t)
		var i int
		for i = 1; i <= 50; i++ {
			msg := fmt.Sprint("m", i)
			if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
				break
			}
			_, got, err := c.Read(ctx)
			if err != nil {
				var ce websocket.CloseError
				if errors.As(err, &ce) {
					t.Fatalf("connection %d: closed with %v, want a cut without a close frame", k, ce)
				}
				break
			}
			if string(got) != msg {
				t.Fatalf("connection %d: echo %q, want %q", k, got, msg)
			}
		}
		if i != want {
			t.Errorf("connection %d of seed %d: cut on message %d, want %d", k, seed, i, want)
		}
		logs.waitFor(fmt.Sprintf("chaos: dropping on client message %d", want))
	}
}

// closeMixCodes is the list the package documentation gives.
var closeMixCodes = []websocket.StatusCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011, 1012, 1013, 1014, 3000, 4000, 4999}

func TestCloseMixPicksBySeed(t *testing.T) {
	srv, _ := start(t, server.Options{})
	seen := map[websocket.StatusCode]bool{}
	for k := range uint64(6) {
		want := closeMixCodes[rand.New(rand.NewPCG(7, k)).IntN(len(closeMixCodes))]
		seen[want] = true
		c := dial(t, srv.URL()+"/?closemix=seed:7&after=1", nil)
		write(t, c, websocket.MessageText, "one")
		if _, got := read(t, c); got != "one" {
			t.Fatalf("echo %q", got)
		}
		var ce websocket.CloseError
		if err := readClose(t, c); !errors.As(err, &ce) || ce.Code != want || ce.Reason != "closemix seed 7" {
			t.Errorf("connection %d: %v, want close %d with reason \"closemix seed 7\"", k, err, want)
		}
	}
	if len(seen) < 2 {
		t.Errorf("six connections of seed 7 were all closed with %v: not a mix", seen)
	}
}

func TestHostileParamErrors(t *testing.T) {
	srv, _ := start(t, server.Options{})
	for q, want := range map[string]string{
		"chaos=seed:x,drop:0.1":      `bad chaos="seed:x,drop:0.1": the seed is not a whole number (want seed:N,drop:P, e.g. seed:42,drop:0.1)`,
		"chaos=seed:1":               `bad chaos="seed:1": no drop:P`,
		"chaos=drop:2":               `bad chaos="drop:2": drop is a probability from 0 to 1`,
		"chaos=drop:0.1,boom:1":      `unknown part "boom:1"`,
		"closemix=7":                 `bad closemix="7": want seed:N`,
		"closemix=seed:7&close=1000": "bad close= with closemix=: choose one way to end the connection",
		"trickle=0":                  `bad trickle="0": want a duration above 0`,
		"trickle=slowly":             `bad trickle="slowly": want a duration`,
	} {
		_, resp, err := dialErr(t, srv.URL()+"/?"+q, nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: err %v, want a 400", q, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), want) {
			t.Errorf("%s: body %q, want it to contain %q", q, body, want)
		}
	}
}

// TestTrickle: the 101 response still completes a handshake when it
// comes one byte at a time; with a long interval only its first byte
// arrives and a client's handshake timeout fires.
func TestTrickle(t *testing.T) {
	srv, logs := start(t, server.Options{})
	c := dial(t, srv.URL()+"/?trickle=1ms", nil)
	write(t, c, websocket.MessageText, "after the trickle")
	if _, got := read(t, c); got != "after the trickle" {
		t.Errorf("echo %q", got)
	}
	logs.waitFor("trickle=1ms: writing the ")

	conn, err := net.DialTimeout("tcp", srv.Addr(), guard)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(guard))
	fmt.Fprintf(conn, "GET /?trickle=1h HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", srv.Addr())
	br := bufio.NewReader(conn)
	if b, err := br.ReadByte(); err != nil || b != 'H' {
		t.Fatalf("first byte %q, %v; want 'H' of HTTP/1.1", b, err)
	}
	// Whatever the machine's speed, a second byte cannot come within an
	// hour's interval: a timeout here is the behaviour, not a race.
	_ = conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if b, err := br.ReadByte(); !errors.Is(err, syscall.ETIMEDOUT) && !isTimeout(err) {
		t.Fatalf("a second byte %q (%v) came before its interval", b, err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestRestart: Restart cuts the open connection without a close frame,
// refuses connections while it waits, then accepts and echoes again on
// the same address.
func TestRestart(t *testing.T) {
	srv, logs := start(t, server.Options{})
	c := dial(t, srv.URL()+"/", nil)
	write(t, c, websocket.MessageText, "before")
	read(t, c)

	done := make(chan error, 1)
	go func() { done <- srv.Restart(time.Second) }()
	logs.waitFor("restart: refusing connections")
	var ce websocket.CloseError
	if err := readClose(t, c); errors.As(err, &ce) {
		t.Errorf("the open connection ended with %v, want a cut without a close frame", ce)
	}
	// The refusal lasts a second; this dial comes right after it began.
	if conn, err := net.DialTimeout("tcp", srv.Addr(), guard); err == nil {
		conn.Close()
		select {
		case <-done:
			t.Log("the restart ended before the dial; the machine is very busy")
		default:
			t.Error("a connection was accepted while restarting")
		}
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial while restarting: %v, want connection refused", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Restart: %v", err)
		}
	case <-time.After(guard):
		t.Fatal("Restart did not return")
	}
	c2 := dial(t, srv.URL()+"/", nil)
	write(t, c2, websocket.MessageText, "after")
	if _, got := read(t, c2); got != "after" {
		t.Errorf("echo after the restart: %q", got)
	}
}

// TestCloseDuringRestart: Close ends a restart's wait.
func TestCloseDuringRestart(t *testing.T) {
	srv, err := server.Start(server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Restart(time.Hour) }()
	// Restart pauses before it waits; Close may come before or after.
	time.Sleep(10 * time.Millisecond)
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("Restart reported success on a closed server")
		}
	case <-time.After(guard):
		t.Fatal("Restart still waiting after Close")
	}
	if err := srv.Restart(time.Millisecond); err == nil {
		t.Error("Restart of a closed server succeeded")
	}
}
