package uni_test

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/goleak"

	"github.com/unisocket/unisocket/uni"
)

func TestGlobalAPIMovesToTheNextTaskWhenTheFirstCloses(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var a, b *uni.SocketTask
	app.Run(func() {
		rec.watchGlobal(app)
		a = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("")})
		b = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("")})
		rec.watch("A", a)
		rec.watch("B", b)
	})
	rec.waitFor(t, "A.open")
	rec.waitFor(t, "B.open")
	// The global send goes to A, the oldest; only A's echo reaches the
	// global message listener.
	app.SendSocketMessage(uni.SendSocketMessageOptions{Data: "to A"})
	b.Send(uni.SendSocketMessageOptions{Data: "to B"})
	rec.waitFor(t, "A.message")
	rec.waitFor(t, "B.message")
	app.CloseSocket(uni.CloseSocketOptions{Code: 4000, Reason: "A done"})
	rec.waitFor(t, "A.close")
	// A leaves the registry once its close listeners have all run.
	waitIdle(t, app, a)
	// Now B is the target.
	app.SendSocketMessage(uni.SendSocketMessageOptions{Data: "now to B"})
	rec.waitFor(t, "B.message text:now to B")
	app.CloseSocket(uni.CloseSocketOptions{})
	rec.waitFor(t, "B.close")
	waitIdle(t, app, a, b)

	var global []string
	for _, l := range rec.snapshot() {
		if len(l) > 6 && l[:6] == "global" {
			global = append(global, l)
		}
	}
	equalLines(t, global, []string{
		"global.open", // A's; B's open is not A's
		"global.message text:to A",
		`global.close 4000 "A done"`,
		"global.message text:now to B",
		`global.close 1000 ""`,
	})
}

func TestGlobalSendNeedsTheFirstTaskOpen(t *testing.T) {
	// A connects forever; B is open. The global API targets A, so the send
	// fails although B is open (uni-app H5, docs/behaviour.md §5.3).
	hang := hangingListener(t)
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	a := app.ConnectSocket(uni.ConnectSocketOptions{URL: hang})
	b, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: p.url("")})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	s, f, c := rec.results("global")
	app.SendSocketMessage(uni.SendSocketMessageOptions{Data: "x", Success: s, Fail: f, Complete: c})
	rec.waitFor(t, "global.complete")
	equalLines(t, rec.snapshot(), []string{
		"global.fail sendSocketMessage:fail WebSocket is not connected",
		"global.complete sendSocketMessage:fail WebSocket is not connected",
	})
	a.Close(uni.CloseSocketOptions{})
	if err := b.Shutdown(context.Background(), 1000, ""); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, app, a, b)
}

func TestGlobalAPIWithNoSocket(t *testing.T) {
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	s, f, c := rec.results("send")
	app.SendSocketMessage(uni.SendSocketMessageOptions{Data: "x", Success: s, Fail: f, Complete: c})
	s, f, c = rec.results("close")
	app.CloseSocket(uni.CloseSocketOptions{Success: s, Fail: f, Complete: c})
	rec.waitFor(t, "close.complete")
	<-app.Idle()
	equalLines(t, rec.snapshot(), []string{
		"send.fail sendSocketMessage:fail WebSocket is not connected",
		"send.complete sendSocketMessage:fail WebSocket is not connected",
		"close.fail closeSocket:fail WebSocket is not connected",
		"close.complete closeSocket:fail WebSocket is not connected",
	})
}

func TestEveryGlobalListenerFires(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		app.OnSocketOpen(func(uni.OnOpenResult) { rec.add("global 1") })
		app.OnSocketOpen(func(uni.OnOpenResult) { rec.add("global 2") })
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("close=1000")})
		task.OnOpen(func(uni.OnOpenResult) { rec.add("task 1") })
		task.OnOpen(func(uni.OnOpenResult) { rec.add("task 2") })
	})
	rec.waitFor(t, "global 2")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{"task 1", "task 2", "global 1", "global 2"})
}

func TestConnectFromAListener(t *testing.T) {
	// Reconnecting from onClose is the usual uni-app pattern; the result
	// callbacks run inside the listener's turn without deadlock.
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var first, second *uni.SocketTask
	app.Run(func() {
		first = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("close=4002")})
		first.OnClose(func(uni.OnCloseResult) {
			rec.add("first closed")
			second = app.ConnectSocket(uni.ConnectSocketOptions{
				URL:     p.url("close=4003"),
				Success: func(res uni.GeneralCallbackResult) { rec.add("reconnect %s", res.ErrMsg) },
			})
			rec.add("reconnect returned")
			rec.watch("second", second)
		})
	})
	rec.waitFor(t, "second.close")
	waitIdle(t, app, first, second)
	equalLines(t, rec.snapshot(), []string{
		"first closed", "reconnect connectSocket:ok", "reconnect returned", "second.open", `second.close 4003 ""`,
	})
}

func TestDialCancelledAbandonsTheHandshake(t *testing.T) {
	url := hangingListener(t)
	app := newApp(t, uni.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := app.Dial(ctx, uni.ConnectSocketOptions{URL: url})
		errc <- err
	}()
	// Cancel once the attempt is registered.
	for len(app.Sockets()) == 0 {
		<-app.Idle()
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Dial = %v, want context.Canceled", err)
	}
	<-app.Idle()
}

func TestNoGoroutineLeakAfterManyCycles(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 connections; skipped with -short")
	}
	p := newPeer(t)
	before := goleak.IgnoreCurrent() // the peer's listener, the test runner
	app := newApp(t, uni.Config{})
	for i := 0; i < 1000; i++ {
		task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: p.url("")})
		if err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		if err := task.Write(context.Background(), "ping"); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		if _, err := task.Receive(context.Background()); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		if err := task.Shutdown(context.Background(), 1000, ""); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
	}
	<-app.Idle()
	// Every goroutine started since (uni's and the peer's per-connection
	// handlers) must be gone.
	goleak.VerifyNone(t, before)
}
