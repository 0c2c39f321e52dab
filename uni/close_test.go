package uni_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/unisocket/unisocket/uni"
)

func TestCloseValidation(t *testing.T) {
	const (
		// The default profile, standard, words them as Chromium 156 does.
		badCode = "closeSocket:fail InvalidAccessError: Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. %d is neither."
		tooLong = "closeSocket:fail SyntaxError: Failed to execute 'close' on 'WebSocket': The close reason must not be greater than 123 UTF-8 bytes."
		notUTF8 = "closeSocket:fail SyntaxError: Failed to execute 'close' on 'WebSocket': The message must be valid UTF-8."
		ok      = "closeSocket:ok"
		cjk41   = "关闭关闭关闭关闭关闭关闭关闭关闭关闭关闭关闭关闭关闭关闭关闭关闭关闭关闭关闭关闭关" // 41 × 3 = 123 bytes
		cjk42   = cjk41 + "闭"                                 // 126 bytes
	)
	// 1 + 120 + 3 = 124 bytes: the last rune starts at byte 122 and crosses 123.
	straddles := "x" + cjk41[:120] + "关"
	tests := []struct {
		code   int
		reason string
		want   string
		sent   int // the code the server sees, for ok cases
	}{
		{0, "", ok, 1000},
		{999, "", fmt.Sprintf(badCode, 999), 0},
		{1000, "", ok, 1000},
		{1001, "", fmt.Sprintf(badCode, 1001), 0},
		{1005, "", fmt.Sprintf(badCode, 1005), 0},
		{1006, "", fmt.Sprintf(badCode, 1006), 0},
		{2999, "", fmt.Sprintf(badCode, 2999), 0},
		{3000, "", ok, 3000},
		{4999, "", ok, 4999},
		{5000, "", fmt.Sprintf(badCode, 5000), 0},
		{1000, strings.Repeat("a", 123), ok, 1000},
		{1000, strings.Repeat("a", 124), tooLong, 0},
		{1000, cjk41, ok, 1000},
		{1000, cjk42, tooLong, 0},
		{1000, straddles, tooLong, 0},
		{1000, "bad \xff", notUTF8, 0},
	}
	if len(cjk41) != 123 || len(cjk42) != 126 || len(straddles) != 124 {
		t.Fatalf("test reasons have the wrong lengths: %d %d %d", len(cjk41), len(cjk42), len(straddles))
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d/%dB", tc.code, len(tc.reason)), func(t *testing.T) {
			p := newPeer(t)
			app := newApp(t, uni.Config{})
			task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: p.url("")})
			if err != nil {
				t.Fatal(err)
			}
			rec := newRecorder()
			s, f, c := rec.results("close")
			task.Close(uni.CloseSocketOptions{Code: tc.code, Reason: tc.reason, Success: s, Fail: f, Complete: c})
			rec.waitFor(t, "close.complete")
			lines := rec.snapshot()
			if strings.HasSuffix(tc.want, ":ok") {
				equalLines(t, lines, []string{"close.success " + tc.want, "close.complete " + tc.want})
				select {
				case <-task.Done():
				case <-time.After(safetyNet):
					t.Fatal("the socket did not close within the safety net")
				}
				if ev := p.waitEvents(t, 1); ev[0].Code != tc.sent || ev[0].Reason != tc.reason {
					t.Fatalf("server saw %+v, want code %d", ev[0], tc.sent)
				}
			} else {
				equalLines(t, lines, []string{"close.fail " + tc.want, "close.complete " + tc.want})
				// The connection stays open and usable.
				if st := task.ReadyState(); st != uni.StateOpen {
					t.Fatalf("state after a refused close = %v, want OPEN", st)
				}
				if err := task.Write(context.Background(), "still open"); err != nil {
					t.Fatal(err)
				}
				if msg, err := task.Receive(context.Background()); err != nil || msg.Data != "still open" {
					t.Fatalf("Receive = %v, %v", msg, err)
				}
				if err := task.Shutdown(context.Background(), 1000, ""); err != nil {
					t.Fatal(err)
				}
			}
			waitIdle(t, app, task)
		})
	}
}

func TestCloseBeforeOpenAbortsTheHandshake(t *testing.T) {
	url := hangingListener(t) // the handshake can only end by our abort
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		rec.watchGlobal(app)
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: url})
		rec.watch("task", task)
		s, f, c := rec.results("closeSocket")
		app.CloseSocket(uni.CloseSocketOptions{Success: s, Fail: f, Complete: c})
		rec.add("state %s", task.ReadyState())
	})
	rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{
		"state CLOSING",
		"closeSocket.success closeSocket:ok",
		"closeSocket.complete closeSocket:ok",
		"task.error WebSocket is closed before the connection is established.",
		"global.error WebSocket is closed before the connection is established.",
		`task.close 1006 ""`,
	})
}

func TestDoubleCloseSucceedsAndDoesNothing(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("")})
		rec.watch("task", task)
		task.OnOpen(func(uni.OnOpenResult) {
			s, f, c := rec.results("close1")
			task.Close(uni.CloseSocketOptions{Code: 3001, Success: s, Fail: f, Complete: c})
			s, f, c = rec.results("close2")
			task.Close(uni.CloseSocketOptions{Code: 3002, Success: s, Fail: f, Complete: c})
		})
	})
	rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{
		"task.open",
		"close1.success closeSocket:ok", "close1.complete closeSocket:ok",
		"close2.success closeSocket:ok", "close2.complete closeSocket:ok",
		`task.close 3001 ""`,
	})
	if ev := p.waitEvents(t, 1); len(ev) != 1 || ev[0].Code != 3001 {
		t.Fatalf("server saw %+v, want one close 3001", ev)
	}
}

func TestSendBeforeOpenFails(t *testing.T) {
	url := hangingListener(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: url})
		s, f, c := rec.results("send")
		task.Send(uni.SendSocketMessageOptions{Data: "too early", Success: s, Fail: f, Complete: c})
		s, f, c = rec.results("global")
		app.SendSocketMessage(uni.SendSocketMessageOptions{Data: "too early", Success: s, Fail: f, Complete: c})
	})
	rec.waitFor(t, "global.complete")
	equalLines(t, rec.snapshot(), []string{
		"send.fail sendSocketMessage:fail SocketTask.readyState is not OPEN",
		"send.complete sendSocketMessage:fail SocketTask.readyState is not OPEN",
		"global.fail sendSocketMessage:fail WebSocket is not connected",
		"global.complete sendSocketMessage:fail WebSocket is not connected",
	})
	task.Close(uni.CloseSocketOptions{})
	waitIdle(t, app, task)
}

func TestCloseHandshakeIsBoundedInTime(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{CloseTimeout: 200 * time.Millisecond})
	rec := newRecorder()
	task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: p.url("deaf=1")})
	if err != nil {
		t.Fatal(err)
	}
	// Dial returned after the open event was queued: listen only for the end.
	task.OnError(func(r uni.OnErrorResult) { rec.add("task.error %s", r.ErrMsg) })
	task.OnClose(func(r uni.OnCloseResult) { rec.add("task.close %d %q", r.Code, r.Reason) })
	task.Close(uni.CloseSocketOptions{Code: 4000})
	rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{
		"task.error the server did not answer the close frame within 200ms; the connection was cut",
		`task.close 1006 ""`,
	})
}

func TestCloseTimeoutCountsFromTheCallEvenBehindAStalledWrite(t *testing.T) {
	// The server never reads: the first big messages fill the TCP buffers,
	// the writer blocks, and the close frame waits behind them. The close
	// timeout still cuts the connection, and every send gets its result.
	p := newPeer(t)
	app := newApp(t, uni.Config{CloseTimeout: 300 * time.Millisecond})
	task, err := app.Dial(context.Background(), uni.ConnectSocketOptions{URL: p.url("deaf=1")})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	task.OnError(func(r uni.OnErrorResult) { rec.add("task.error %s", r.ErrMsg) })
	task.OnClose(func(r uni.OnCloseResult) { rec.add("task.close %d %q", r.Code, r.Reason) })
	const n = 8
	big := make([]byte, 8<<20)
	for i := 0; i < n; i++ {
		task.Send(uni.SendSocketMessageOptions{Data: big, Complete: func(r uni.GeneralCallbackResult) { rec.add("send %s", r.ErrMsg) }})
	}
	task.Close(uni.CloseSocketOptions{})
	rec.waitFor(t, "task.close")
	rec.waitCount(t, "send ", n)
	waitIdle(t, app, task)
	var events []string
	for _, l := range rec.snapshot() {
		if !strings.HasPrefix(l, "send ") {
			events = append(events, l)
		}
	}
	equalLines(t, events, []string{
		"task.error the server did not answer the close frame within 300ms; the connection was cut",
		`task.close 1006 ""`,
	})
}
