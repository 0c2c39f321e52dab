package uni_test

import (
	"log"
	"strings"
	"testing"

	"github.com/unisocket/unisocket/internal/testutil"
	"github.com/unisocket/unisocket/platform"
	"github.com/unisocket/unisocket/uni"
)

func TestHappyPathEventOrder(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		rec.watchGlobal(app)
		s, f, c := rec.results("connectSocket")
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("after=1&close=4001&reason=bye"), Success: s, Fail: f, Complete: c})
		rec.add("returned")
		rec.watch("task", task)
		task.OnOpen(func(uni.OnOpenResult) {
			rec.add("readyState at open %s", task.ReadyState())
			task.Send(uni.SendSocketMessageOptions{Data: "hello"})
		})
		task.OnClose(func(uni.OnCloseResult) { rec.add("readyState at close %s", task.ReadyState()) })
	})
	rec.waitFor(t, "global.close")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{
		"connectSocket.success connectSocket:ok",
		"connectSocket.complete connectSocket:ok",
		"returned",
		"task.open",
		"readyState at open OPEN",
		"global.open",
		"task.message text:hello",
		"global.message text:hello",
		`task.close 4001 "bye"`,
		"readyState at close CLOSED",
		`global.close 4001 "bye"`,
	})
	if n := len(app.Sockets()); n != 0 {
		t.Fatalf("registry holds %d tasks after close, want 0", n)
	}
}

func TestSuccessMeansIssuedNotOpen(t *testing.T) {
	// Nothing listens on the port: success still runs, then error, then close.
	url := "ws://" + freeAddr(t) + "/"
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		rec.watchGlobal(app)
		s, f, c := rec.results("connectSocket")
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: url, Success: s, Fail: f, Complete: c})
		rec.watch("task", task)
	})
	lines := rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	lines = rec.snapshot()
	if len(lines) != 5 {
		t.Fatalf("want 5 events, got %q", lines)
	}
	equalLines(t, []string{lines[0], lines[1]}, []string{
		"connectSocket.success connectSocket:ok",
		"connectSocket.complete connectSocket:ok",
	})
	mustHavePrefix(t, lines[2], "task.error WebSocket handshake with "+url+" failed: connection refused")
	mustHavePrefix(t, lines[3], "global.error WebSocket handshake with "+url+" failed: connection refused")
	// The error removed the task from the registry, so the global close
	// listener does not hear its close (uni-app H5, docs/behaviour.md §5.1).
	equalLines(t, lines[4:], []string{`task.close 1006 ""`})
}

func TestServerCloseCodeAndReason(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("close=4001&reason=bye")})
		rec.watch("task", task)
	})
	rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{"task.open", `task.close 4001 "bye"`})
	// The client answered the server's close with the same code.
	if ev := p.waitEvents(t, 1); len(ev) != 1 || ev[0].Code != 4001 {
		t.Fatalf("server saw %+v, want the client's close echo 4001", ev)
	}
}

func TestEmptyCloseFrameIs1005(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("emptyclose=1")})
		rec.watch("task", task)
	})
	rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{"task.open", `task.close 1005 ""`})
}

func TestDroppedConnectionIs1006(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		rec.watchGlobal(app)
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("drop=1&after=1")})
		rec.watch("task", task)
		task.OnOpen(func(uni.OnOpenResult) { task.Send(uni.SendSocketMessageOptions{Data: "x"}) })
	})
	lines := rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	lines = rec.snapshot()
	// open (task, global), the echo (task, global), then close 1006 alone,
	// as a browser reports a drop: the task is still the global target.
	if len(lines) != 6 {
		t.Fatalf("want 6 events, got %q", lines)
	}
	equalLines(t, lines[4:], []string{`task.close 1006 ""`, `global.close 1006 ""`})
}

// TestDroppedConnectionErrorFirst pins the other drop rule: a profile with
// platform.DropErrorThenClose reports error, then close.
func TestDroppedConnectionErrorFirst(t *testing.T) {
	p := newPeer(t)
	prof := platform.Standard()
	prof.Drop = platform.DropErrorThenClose
	app := newApp(t, uni.Config{Profile: prof})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		rec.watchGlobal(app)
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("drop=1")})
		rec.watch("task", task)
	})
	rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	lines := rec.snapshot()
	if len(lines) != 5 {
		t.Fatalf("want 5 events, got %q", lines)
	}
	mustHavePrefix(t, lines[2], "task.error WebSocket connection lost")
	mustHavePrefix(t, lines[3], "global.error WebSocket connection lost")
	equalLines(t, lines[4:], []string{`task.close 1006 ""`})
}

func TestClientCloseReportsOurCode(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("")})
		rec.watch("task", task)
		task.OnOpen(func(uni.OnOpenResult) {
			s, f, c := rec.results("close")
			task.Close(uni.CloseSocketOptions{Code: 3000, Reason: "x", Success: s, Fail: f, Complete: c})
			rec.add("state after close %s", task.ReadyState())
		})
	})
	rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{
		"task.open",
		"state after close CLOSING",
		"close.success closeSocket:ok",
		"close.complete closeSocket:ok",
		`task.close 3000 "x"`,
	})
	if ev := p.waitEvents(t, 1); len(ev) != 1 || ev[0].Code != 3000 || ev[0].Reason != "x" {
		t.Fatalf("server saw %+v, want close 3000 \"x\"", ev)
	}
}

func TestThrowingListenerDoesNotStopOthers(t *testing.T) {
	p := newPeer(t)
	var logged testutil.Buffer
	app := uni.NewApp(uni.Config{ErrorLog: log.New(&logged, "", 0)})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("close=1000")})
		task.OnOpen(func(uni.OnOpenResult) { panic("boom") })
		task.OnOpen(func(uni.OnOpenResult) { rec.add("second listener") })
		app.OnSocketOpen(func(uni.OnOpenResult) { rec.add("global listener") })
	})
	rec.waitFor(t, "global listener")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{"second listener", "global listener"})
	if got := logged.String(); !strings.Contains(got, "thirdScriptError\nboom;at socketTask.onOpen callback function") {
		t.Fatalf("panic not reported as uni-app reports it; log: %q", got)
	}
}

func TestListenerAddedAfterOpenIsNotReplayed(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("")})
		task.OnOpen(func(uni.OnOpenResult) {
			rec.add("first open")
			task.OnOpen(func(uni.OnOpenResult) { rec.add("late open") })
			task.Close(uni.CloseSocketOptions{})
		})
		rec.watch("task", task)
	})
	rec.waitFor(t, "task.close")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{"first open", "task.open", `task.close 1000 ""`})
}

func TestOpenPayloadCarriesResponseHeader(t *testing.T) {
	p := newPeer(t)
	app := newApp(t, uni.Config{})
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: p.url("")})
		task.OnOpen(func(res uni.OnOpenResult) {
			rec.add("x-peer=%s upgrade=%s", res.Header.Get("X-Peer"), res.Header.Get("Upgrade"))
			task.Close(uni.CloseSocketOptions{})
		})
	})
	rec.waitFor(t, "x-peer")
	waitIdle(t, app, task)
	equalLines(t, rec.snapshot(), []string{"x-peer=gorilla upgrade=websocket"})
}

func mustHavePrefix(t *testing.T, s, prefix string) {
	t.Helper()
	if !strings.HasPrefix(s, prefix) {
		t.Fatalf("got  %q\nwant prefix %q", s, prefix)
	}
}
