package uni_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unisocket/unisocket/uni"
)

func TestBinaryRoundTrip(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	payload := []byte{0, 1, 2, 0xfe, 0xff}
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("")})
		rec.watch("task", task)
		task.OnOpen(func(uni.OnOpenResult) {
			buf := append([]byte(nil), payload...)
			task.Send(uni.SendSocketMessageOptions{Data: buf})
			buf[0] = 9 // Send copied the slice: this must not reach the server
			task.Send(uni.SendSocketMessageOptions{Data: "text after binary"})
		})
		task.OnMessage(func(res uni.OnMessageResult) {
			if s, ok := res.Data.(string); ok && s == "text after binary" {
				task.Close(uni.CloseSocketOptions{})
			}
		})
	})
	rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{
		"task.open",
		"task.message binary:000102feff",
		"task.message text:text after binary",
		`task.close 1000 ""`,
	})
}

func TestLargeMessageAboveLibraryDefaultLimit(t *testing.T) {
	// coder/websocket's default read limit is 32 KiB; uni's is 16 MiB.
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: p.url("")})
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	if err := task.Write(context.Background(), big); err != nil {
		t.Fatal(err)
	}
	msg, err := task.Receive(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Data.([]byte); !bytes.Equal(got, big) {
		t.Fatalf("echo of %d bytes came back as %d different bytes", len(big), len(got))
	}
	if err := task.Shutdown(context.Background(), 1000, ""); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, app, task)
}

func TestReadLimitExceeded(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{ReadLimit: 1000})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("send=1&size=1001")})
		rec.watch("task", task)
	})
	lines := rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	lines = rec.snapshot()
	if len(lines) != 3 {
		t.Fatalf("want open, error, close; got %q", lines)
	}
	mustHavePrefix(t, lines[1], "task.error received a message over the read limit; closed the connection with 1009")
	equalLines(t, lines[2:], []string{`task.close 1006 ""`})
	if ev := p.waitClose(t); ev.Code != 1009 {
		t.Fatalf("server saw close %+v, want 1009", ev)
	}
}

func TestInvalidUTF8FailsWith1007(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("badutf8=1")})
		rec.watch("task", task)
	})
	rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{
		"task.open",
		"task.error received a text message that is not valid UTF-8; closed the connection with 1007",
		`task.close 1006 ""`,
	})
	if ev := p.waitEvents(t, 1); ev[0].Code != 1007 {
		t.Fatalf("server saw close %+v, want 1007", ev)
	}
}

func TestTenThousandMessagesInOrder(t *testing.T) {
	const n = 10000
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	var (
		mu       sync.Mutex
		got      []string
		sendFail atomic.Int32
		sendOK   atomic.Int32
		done     = make(chan struct{})
	)
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("")})
		task.OnOpen(func(uni.OnOpenResult) {
			for i := 0; i < n; i++ {
				task.Send(uni.SendSocketMessageOptions{
					Data:    fmt.Sprintf("m%05d", i),
					Success: func(uni.GeneralCallbackResult) { sendOK.Add(1) },
					Fail:    func(uni.GeneralCallbackResult) { sendFail.Add(1) },
				})
			}
		})
		task.OnMessage(func(res uni.OnMessageResult) {
			mu.Lock()
			got = append(got, res.Data.(string))
			full := len(got) == n
			mu.Unlock()
			if full {
				close(done)
				task.Close(uni.CloseSocketOptions{})
			}
		})
	})
	select {
	case <-done:
	case <-task.Done():
		t.Fatal("socket closed before all echoes arrived")
	case <-time.After(safetyNet):
		t.Fatal("not all echoes arrived within the safety net")
	}
	waitIdle(t, app, task)
	for i, s := range got {
		if want := fmt.Sprintf("m%05d", i); s != want {
			t.Fatalf("message %d is %q, want %q", i, s, want)
		}
	}
	if sendOK.Load() != n || sendFail.Load() != 0 {
		t.Fatalf("send results: %d ok, %d fail; want %d ok", sendOK.Load(), sendFail.Load(), n)
	}
}

func TestConcurrentSendersKeepPerSenderOrder(t *testing.T) {
	const senders, each = 8, 500
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: p.url("")})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var failed atomic.Int32
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				msg := fmt.Sprintf("%d:%d", s, i)
				if i%2 == 0 {
					task.Send(uni.SendSocketMessageOptions{Data: msg, Fail: func(uni.GeneralCallbackResult) { failed.Add(1) }})
				} else if err := task.Write(context.Background(), msg); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	next := make([]int, senders)
	for i := 0; i < senders*each; i++ {
		msg, err := task.Receive(context.Background())
		if err != nil {
			t.Fatalf("after %d messages: %v", i, err)
		}
		var s, n int
		fmt.Sscanf(msg.Data.(string), "%d:%d", &s, &n)
		if n != next[s] {
			t.Fatalf("sender %d: got message %d, want %d", s, n, next[s])
		}
		next[s]++
	}
	if failed.Load() != 0 {
		t.Fatalf("%d sends failed", failed.Load())
	}
	if err := task.Shutdown(context.Background(), 1000, ""); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, app, task)
}

func TestCallbacksNeverRunConcurrently(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	var inside, overlaps, calls atomic.Int32
	enter := func() {
		if inside.Add(1) != 1 {
			overlaps.Add(1)
		}
		calls.Add(1)
		for i := 0; i < 100; i++ { // widen the window a little
			_ = i * i
		}
		inside.Add(-1)
	}
	const sockets, msgs = 4, 200
	app.OnSocketMessage(func(uni.OnMessageResult) { enter() })
	var wg sync.WaitGroup
	for i := 0; i < sockets; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var task *uni.SocketTask
			app.Run(func() {
				task = app.ConnectSocket(uni.ConnectSocketOptions{
					URL:      p.url(""),
					Success:  func(uni.GeneralCallbackResult) { enter() },
					Complete: func(uni.GeneralCallbackResult) { enter() },
				})
				task.OnMessage(func(uni.OnMessageResult) { enter() })
				task.OnOpen(func(uni.OnOpenResult) {
					enter()
					for j := 0; j < msgs; j++ {
						task.Send(uni.SendSocketMessageOptions{Data: "x", Complete: func(uni.GeneralCallbackResult) { enter() }})
					}
					task.Send(uni.SendSocketMessageOptions{Data: "last"})
				})
				task.OnMessage(func(res uni.OnMessageResult) {
					if res.Data == "last" {
						task.Close(uni.CloseSocketOptions{})
					}
				})
			})
			select {
			case <-task.Done():
			case <-time.After(safetyNet): // reported below as missing callbacks
			}
		}()
	}
	wg.Wait()
	waitIdle(t, app)
	if overlaps.Load() != 0 {
		t.Fatalf("%d of %d callbacks overlapped another", overlaps.Load(), calls.Load())
	}
	if calls.Load() < sockets*(3+2*msgs) {
		t.Fatalf("only %d callbacks ran", calls.Load())
	}
}

func TestSendAfterCloseFails(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("close=1000")})
		task.OnClose(func(uni.OnCloseResult) {
			s, f, c := rec.results("send")
			task.Send(uni.SendSocketMessageOptions{Data: "late", Success: s, Fail: f, Complete: c})
		})
	})
	rec.waitFor(t, "send.complete")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{
		"send.fail sendSocketMessage:fail SocketTask.readyState is not OPEN",
		"send.complete sendSocketMessage:fail SocketTask.readyState is not OPEN",
	})
	if err := task.Write(context.Background(), "late"); err == nil || !strings.Contains(err.Error(), "CLOSED") {
		t.Fatalf("Write after close = %v, want an error naming CLOSED", err)
	}
}

func TestSendCutOffByDroppedConnectionReportsFail(t *testing.T) {
	// The server drops the connection after the first echo; sends still
	// queued then must fail, never vanish.
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	var ok, failed atomic.Int32
	const n = 2000
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("drop=1&after=1&noecho=1")})
		task.OnOpen(func(uni.OnOpenResult) {
			for i := 0; i < n; i++ {
				task.Send(uni.SendSocketMessageOptions{
					Data:    strings.Repeat("y", 4096),
					Success: func(uni.GeneralCallbackResult) { ok.Add(1) },
					Fail:    func(uni.GeneralCallbackResult) { failed.Add(1) },
				})
			}
		})
	})
	// The open listener may still be sending when the task closes, and
	// each later send's result is queued after that, so wait for the
	// count itself rather than for one quiet moment.
	waitIdle(t, app, task)
	deadline := time.After(safetyNet)
	for ok.Load()+failed.Load() < n {
		select {
		case <-app.Idle():
		case <-deadline:
			t.Fatalf("%d ok + %d failed != %d sent: some sends got no result", ok.Load(), failed.Load(), n)
		}
	}
	if got := ok.Load() + failed.Load(); got != n {
		t.Fatalf("%d ok + %d failed != %d sent: some sends got more than one result", ok.Load(), failed.Load(), n)
	}
	t.Logf("%d written before the drop, %d failed", ok.Load(), failed.Load())
}

func TestDataValidation(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: p.url("")})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	for _, data := range []any{42, nil, []int{1}} {
		s, f, c := rec.results("send")
		task.Send(uni.SendSocketMessageOptions{Data: data, Success: s, Fail: f, Complete: c})
	}
	rec.waitCount(t, "send.complete", 3)
	equalLines(t, rec.snapshot(), []string{
		"send.fail sendSocketMessage:fail data must be a string or []byte, got int",
		"send.complete sendSocketMessage:fail data must be a string or []byte, got int",
		"send.fail sendSocketMessage:fail data must be a string or []byte, got nothing (data is required)",
		"send.complete sendSocketMessage:fail data must be a string or []byte, got nothing (data is required)",
		"send.fail sendSocketMessage:fail data must be a string or []byte, got []int",
		"send.complete sendSocketMessage:fail data must be a string or []byte, got []int",
	})
	if err := task.Shutdown(context.Background(), 1000, ""); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, app, task)
}

func TestMessageBeforeListenerInTheSameTurn(t *testing.T) {
	// uni-app code adds onMessage right after connectSocket, in the same
	// JavaScript turn; a message read in between must still reach it.
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("send=1&size=3")})
		// Let the socket open and the server's message arrive first.
		// (ResponseHeader is set as the handshake completes; readyState
		// waits for the open event, which cannot run during this turn.)
		p.waitEvents(t, 1)
		for i := 0; task.ResponseHeader() == nil; i++ {
			if i > 1e7 {
				t.Error("the handshake did not complete")
				break
			}
			runtime.Gosched()
		}
		for i := 0; i < 1000; i++ {
			runtime.Gosched()
		}
		if s := task.ReadyState(); s != uni.StateConnecting {
			t.Errorf("readyState %v inside the turn, want CONNECTING until the open event runs", s)
		}
		rec.watch("task", task)
	})
	rec.waitFor(t, "task.message")
	task.Close(uni.CloseSocketOptions{})
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{"task.open", "task.message binary:000000", `task.close 1000 ""`})
}

func TestAbort(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: p.url("")})
	if err != nil {
		t.Fatal(err)
	}
	task.OnError(func(r uni.OnErrorResult) { rec.add("task.error %s", r.ErrMsg) })
	task.OnClose(func(r uni.OnCloseResult) { rec.add("task.close %d %q", r.Code, r.Reason) })
	task.Abort()
	rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{"task.error WebSocket connection aborted by the client", `task.close 1006 ""`})
	task.Abort() // a no-op once closed
}
