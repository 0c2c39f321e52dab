package uni_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/unisocket/unisocket/internal/testutil"
	"github.com/unisocket/unisocket/internal/wire"
	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

// TestPings: a listener added in the turn that dialled hears the server's
// ping right after opening; PingPayload and Pong reach the server with
// their payloads (the server logs the pongs it receives).
func TestPings(t *testing.T) {
	var logged testutil.Buffer
	srv, err := server.Start(server.Options{Logf: func(format string, args ...any) {
		fmt.Fprintf(&logged, format+"\n", args...)
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	app := newApp(t, uni.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	heard := make(chan string, 1)
	var task *uni.SocketTask
	var dialErr error
	app.Run(func() {
		task, dialErr = app.Dial(ctx, uni.ConnectSocketOptions{URL: srv.URL() + "/?ping=hello"})
		if dialErr == nil {
			task.OnPing(func(p []byte) { heard <- string(p) })
		}
	})
	if dialErr != nil {
		t.Fatal(dialErr)
	}
	select {
	case got := <-heard:
		if got != "hello" {
			t.Fatalf("OnPing heard %q, want \"hello\"", got)
		}
	case <-ctx.Done():
		t.Fatal("OnPing heard no ping")
	}
	if err := task.PingPayload(ctx, []byte("are you there")); err != nil {
		t.Fatalf("PingPayload: %v", err)
	}
	if err := task.Pong([]byte("beat")); err != nil {
		t.Fatalf("Pong: %v", err)
	}
	var ce *wire.ControlPayloadError
	if err := task.PingPayload(ctx, make([]byte, 200)); !errors.As(err, &ce) {
		t.Fatalf("PingPayload(200 bytes) = %v, want a payload error", err)
	}
	// The answer to ?ping=hello, then the unsolicited one.
	logged.WaitFor(t, "the server log", regexp.MustCompile(`pong "hello" received\n(.*\n)*.*pong "beat" received`))
	if n := strings.Count(logged.String(), "pong "); n != 2 {
		t.Fatalf("the server logged %d pongs, want 2:\n%s", n, logged.String())
	}
	if err := task.Shutdown(ctx, 1000, ""); err != nil {
		t.Fatal(err)
	}
	if err := task.Pong(nil); err == nil {
		t.Fatal("Pong on a closed socket succeeded")
	}
	waitIdle(t, app, task)
}
