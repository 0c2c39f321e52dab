package uni_test

// Tests of the platform profiles and the mini-program host rules, as uni
// applies them. Every cell of the profile table (platform.Rules × profile)
// has a subtest, TestPlatformProfiles/<profile>/<rule>. Servers are the
// embedded test server over TLS; the App's DialContext routes the
// whitelisted example names to it, so nothing leaves the loopback
// interface (a LAN address such as 192.168.1.10 is routed there too, never
// dialled).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unisocket/unisocket/internal/testutil"
	"github.com/unisocket/unisocket/platform"
	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

// pfSafety bounds every wait so that a broken build fails instead of
// hanging. It is never an assertion about speed.
const pfSafety = 20 * time.Second

// pfShort is a handshake timeout that expires long before pfSafety; the
// tests only rely on it expiring, never on when.
const pfShort = 50 * time.Millisecond

// Host names the test dialer knows. Every one of them is served by the
// test server, except gate (held until released), mute (reads swallowed
// once muted) and slow (a listener that never answers).
const (
	pfSocket = "socket.example.com"
	pfGate   = "gate.example.com"
	pfMute   = "mute.example.com"
	pfSlow   = "slow.example.com"
	pfIDN    = "xn--fsqu00a.xn--0zwm56d" // 例子.测试
	pfLAN    = "192.168.1.10"
)

var pfServed = []string{pfSocket, "example.com", "chat.example.com", pfIDN, pfLAN, "localhost"}

// pfEnv is one test's server, dialer and log.
type pfEnv struct {
	t    *testing.T
	srv  *server.Server
	slow net.Listener

	gate     chan struct{}
	gateOnce sync.Once

	mu      sync.Mutex
	dialled []string
	mutes   []*pfMuteConn
	held    []net.Conn
	slowWG  sync.WaitGroup

	log testutil.Buffer
}

func newPFEnv(t *testing.T) *pfEnv {
	t.Helper()
	srv, err := server.Start(server.Options{TLS: true, Hosts: append(slices.Clone(pfServed), pfGate, pfMute, pfSlow)})
	if err != nil {
		t.Fatal(err)
	}
	slow, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	e := &pfEnv{t: t, srv: srv, slow: slow, gate: make(chan struct{})}
	e.slowWG.Add(1)
	go func() {
		defer e.slowWG.Done()
		for {
			c, err := slow.Accept()
			if err != nil {
				return
			}
			e.mu.Lock()
			e.held = append(e.held, c) // accepted, never answered
			e.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		e.release()
		e.mu.Lock()
		for _, c := range e.mutes {
			c.Close()
		}
		for _, c := range e.held {
			c.Close()
		}
		e.mu.Unlock()
		slow.Close()
		e.slowWG.Wait()
		srv.Close()
		if t.Failed() {
			t.Logf("App log:\n%s", e.log.String())
		}
	})
	return e
}

// release lets the handshakes to pfGate go on.
func (e *pfEnv) release() { e.gateOnce.Do(func() { close(e.gate) }) }

func (e *pfEnv) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".") // as DNS would
	e.mu.Lock()
	e.dialled = append(e.dialled, addr)
	e.mu.Unlock()
	var d net.Dialer
	switch {
	case slices.Contains(pfServed, host):
		return d.DialContext(ctx, network, e.srv.Addr())
	case host == pfGate:
		select {
		case <-e.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return d.DialContext(ctx, network, e.srv.Addr())
	case host == pfMute:
		c, err := d.DialContext(ctx, network, e.srv.Addr())
		if err != nil {
			return nil, err
		}
		m := &pfMuteConn{Conn: c, closed: make(chan struct{})}
		e.mu.Lock()
		e.mutes = append(e.mutes, m)
		e.mu.Unlock()
		return m, nil
	case host == pfSlow:
		return d.DialContext(ctx, network, e.slow.Addr().String())
	}
	return nil, fmt.Errorf("test dialer: no route to %s", addr)
}

// dialledAddrs returns the addresses the App asked to dial.
func (e *pfEnv) dialledAddrs() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.dialled)
}

// muteAll makes every connection to pfMute swallow what the server sends,
// so a socket that starts a close handshake stays CLOSING.
func (e *pfEnv) muteAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.mutes {
		c.muted.Store(true)
	}
}

// config returns a Config for profile p, trusting the test server and
// whitelisting the served names.
func (e *pfEnv) config(p platform.Profile) uni.Config {
	return uni.Config{
		Profile:     p,
		TLSConfig:   e.srv.ClientTLSConfig(),
		DialContext: e.dial,
		ErrorLog:    log.New(&e.log, "", 0),
		Domains:     []string{pfSocket, "chat.example.com", pfGate, pfMute, pfSlow, "例子.测试"},
		// A socket closing towards pfMute stays CLOSING until the test ends.
		CloseTimeout: time.Hour,
	}
}

// pfMuteConn passes data through until muted; then it discards what it
// reads and hides the end of the stream until closed.
type pfMuteConn struct {
	net.Conn
	muted     atomic.Bool
	closeOnce sync.Once
	closed    chan struct{}
}

func (c *pfMuteConn) Read(b []byte) (int, error) {
	for {
		n, err := c.Conn.Read(b)
		if !c.muted.Load() {
			return n, err
		}
		if err != nil {
			<-c.closed
			return 0, net.ErrClosed
		}
	}
}

func (c *pfMuteConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// pfConnect connects inside one callback turn, recording the result as
// "<name>.connect <errMsg>" and the task's events as "<name>.<event>".
func pfConnect(app *uni.App, rec *recorder, name string, opts uni.ConnectSocketOptions) *uni.SocketTask {
	var task *uni.SocketTask
	app.Run(func() {
		opts.Success = func(r uni.GeneralCallbackResult) { rec.add("%s.connect %s", name, r.ErrMsg) }
		opts.Fail = opts.Success
		task = app.ConnectSocket(opts)
		task.OnOpen(func(r uni.OnOpenResult) { rec.add("%s.open header=%v", name, r.Header != nil) })
		task.OnError(func(r uni.OnErrorResult) { rec.add("%s.error %s", name, r.ErrMsg) })
		task.OnClose(func(r uni.OnCloseResult) { rec.add("%s.close %d", name, r.Code) })
		task.OnMessage(func(r uni.OnMessageResult) { rec.add("%s.message %v", name, r.Data) })
	})
	return task
}

// pfFinish closes the tasks (abandoning those still connecting), waits
// until every task is CLOSED and every callback ran.
func pfFinish(t *testing.T, app *uni.App, tasks ...*uni.SocketTask) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), pfSafety)
	defer cancel()
	for _, task := range tasks {
		if task == nil {
			continue
		}
		_ = task.Shutdown(ctx, 1000, "") // how it closed is not the point here
		select {
		case <-task.Done():
		case <-ctx.Done():
			t.Fatalf("%v did not close within the safety net", task)
		}
	}
	select {
	case <-app.Idle():
	case <-time.After(pfSafety):
		t.Fatal("callbacks still queued after the safety net")
	}
}

// pfWantConnect checks the connectSocket result line of name.
func pfWantConnect(t *testing.T, rec *recorder, name, errMsg string) {
	t.Helper()
	if got := rec.line(t, name+".connect "); got != name+".connect "+errMsg {
		t.Fatalf("got %q, want %q", got, name+".connect "+errMsg)
	}
}

// pfInspect dials the inspect behaviour and returns what the server saw.
func pfInspect(t *testing.T, app *uni.App, opts uni.ConnectSocketOptions) server.HandshakeRequest {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), pfSafety)
	defer cancel()
	opts.URL = "wss://" + pfSocket + "/inspect?inspect=1"
	task, err := app.Dial(ctx, opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	msg, err := task.Receive(ctx)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	var hr server.HandshakeRequest
	if err := json.Unmarshal([]byte(fmt.Sprint(msg.Data)), &hr); err != nil {
		t.Fatalf("inspect message %v: %v", msg.Data, err)
	}
	if err := task.Shutdown(ctx, 1000, ""); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	pfFinish(t, app, task)
	return hr
}

const pfNotListed = "connectSocket:fail " + platform.ErrMsgNotInDomainList

// pfCells checks one cell of the profile table: rule × profile. Every
// rule of platform.Rules must have one.
var pfCells = map[string]func(t *testing.T, e *pfEnv, p platform.Profile){
	"SecureOnly": func(t *testing.T, e *pfEnv, p platform.Profile) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		url := "ws://" + pfSocket + "/"
		task := pfConnect(app, rec, "ws", uni.ConnectSocketOptions{URL: url})
		want := "connectSocket:ok"
		if p.SecureOnly {
			want = fmt.Sprintf("connectSocket:fail invalid url %q: the %s platform accepts only wss:// URLs", url, p.Name)
		}
		pfWantConnect(t, rec, "ws", want)
		pfFinish(t, app, task)
	},
	"TestBuildWS": func(t *testing.T, e *pfEnv, p platform.Profile) {
		cfg := e.config(p)
		cfg.TestBuild = true
		app := uni.NewApp(cfg)
		rec := newRecorder()
		task := pfConnect(app, rec, "ws", uni.ConnectSocketOptions{URL: "ws://" + pfSocket + "/"})
		if !p.SecureOnly || p.TestBuildWS {
			pfWantConnect(t, rec, "ws", "connectSocket:ok")
		} else {
			if got := rec.line(t, "ws.connect "); !strings.HasPrefix(got, "ws.connect connectSocket:fail invalid url") {
				t.Fatalf("test build: got %q, want the wss-only failure", got)
			}
		}
		pfFinish(t, app, task)
	},
	"CheckDomain": func(t *testing.T, e *pfEnv, p platform.Profile) {
		cfg := e.config(p)
		cfg.Domains = nil
		app := uni.NewApp(cfg)
		rec := newRecorder()
		a := pfConnect(app, rec, "a", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
		if p.CheckDomain {
			pfWantConnect(t, rec, "a", pfNotListed)
			if !strings.Contains(e.log.String(), "the socket domain list is empty") {
				t.Errorf("the log does not explain the refusal:\n%s", e.log.String())
			}
		} else {
			pfWantConnect(t, rec, "a", "connectSocket:ok")
			rec.line(t, "a.open")
		}
		// The developer tools' switch lifts the check everywhere.
		cfg.SkipURLCheck = true
		skip := uni.NewApp(cfg)
		b := pfConnect(skip, rec, "b", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
		pfWantConnect(t, rec, "b", "connectSocket:ok")
		rec.line(t, "b.open")
		pfFinish(t, app, a)
		pfFinish(t, skip, b)
	},
	"DomainMatch": func(t *testing.T, e *pfEnv, p platform.Profile) {
		cfg := e.config(p)
		cfg.Domains = []string{"example.com"} // the list applies on every profile once given
		app := uni.NewApp(cfg)
		rec := newRecorder()
		task := pfConnect(app, rec, "sub", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
		if p.DomainMatch == platform.WithSubdomains {
			pfWantConnect(t, rec, "sub", "connectSocket:ok")
			rec.line(t, "sub.open")
		} else {
			pfWantConnect(t, rec, "sub", pfNotListed)
		}
		pfFinish(t, app, task)
	},
	"LANIP": func(t *testing.T, e *pfEnv, p platform.Profile) {
		cfg := e.config(p)
		rec := newRecorder()
		off := uni.NewApp(cfg)
		a := pfConnect(off, rec, "off", uni.ConnectSocketOptions{URL: "wss://" + pfLAN + "/"})
		pfWantConnect(t, rec, "off", pfNotListed)
		cfg.AllowLANIP = true
		on := uni.NewApp(cfg)
		b := pfConnect(on, rec, "on", uni.ConnectSocketOptions{URL: "wss://" + pfLAN + "/"})
		if p.LANIP {
			pfWantConnect(t, rec, "on", "connectSocket:ok")
			rec.line(t, "on.open")
		} else {
			pfWantConnect(t, rec, "on", pfNotListed)
		}
		pfFinish(t, off, a)
		pfFinish(t, on, b)
	},
	"MaxSockets":         func(t *testing.T, e *pfEnv, p platform.Profile) { pfQuotaCell(t, e, p, false) },
	"MaxSocketsMultiple": func(t *testing.T, e *pfEnv, p platform.Profile) { pfQuotaCell(t, e, p, true) },
	"QuotaErrMsg": func(t *testing.T, e *pfEnv, p platform.Profile) {
		// Reserving the whole quota refuses the first socket at once.
		cfg := e.config(p)
		cfg.ReservedSockets = max(p.MaxSockets, 1)
		app := uni.NewApp(cfg)
		rec := newRecorder()
		task := pfConnect(app, rec, "a", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
		if p.MaxSockets > 0 {
			pfWantConnect(t, rec, "a", "connectSocket:fail "+p.QuotaCause(task.ID(), false))
			if !strings.Contains(e.log.String(), "reserved for the vendor's own sockets") {
				t.Errorf("the log does not explain the refusal:\n%s", e.log.String())
			}
		} else {
			pfWantConnect(t, rec, "a", "connectSocket:ok")
		}
		pfFinish(t, app, task)
	},
	"Header": func(t *testing.T, e *pfEnv, p platform.Profile) {
		hr := pfInspect(t, uni.NewApp(e.config(p)), uni.ConnectSocketOptions{Header: map[string]string{"X-Pf": "cell"}})
		if got := hr.Header.Get("X-Pf"); (got == "cell") != p.Header {
			t.Fatalf("server saw X-Pf %q; profile Header is %v", got, p.Header)
		}
		if !p.Header && !strings.Contains(e.log.String(), `ignores option "header"`) {
			t.Errorf("no warning for the dropped header:\n%s", e.log.String())
		}
	},
	"Method": func(t *testing.T, e *pfEnv, p platform.Profile) {
		hr := pfInspect(t, uni.NewApp(e.config(p)), uni.ConnectSocketOptions{Method: "post"})
		want := "GET"
		if p.Method {
			want = "POST"
		}
		if hr.Method != want {
			t.Fatalf("server saw method %s, want %s", hr.Method, want)
		}
		if !p.Method && !strings.Contains(e.log.String(), `does not support option "method"`) {
			t.Errorf("no warning for the stripped method:\n%s", e.log.String())
		}
	},
	"Protocols": func(t *testing.T, e *pfEnv, p platform.Profile) {
		hr := pfInspect(t, uni.NewApp(e.config(p)), uni.ConnectSocketOptions{Protocols: []string{"chat"}})
		if got := slices.Equal(hr.Subprotocols, []string{"chat"}); got != p.Protocols {
			t.Fatalf("server saw subprotocols %v; profile Protocols is %v", hr.Subprotocols, p.Protocols)
		}
	},
	"Referer": func(t *testing.T, e *pfEnv, p platform.Profile) {
		hr := pfInspect(t, uni.NewApp(e.config(p)), uni.ConnectSocketOptions{Header: map[string]string{"referer": "https://page.example.com/", "X-Pf": "kept"}})
		sent := hr.Header.Get("Referer") == "https://page.example.com/"
		if want := p.Header && p.Referer; sent != want {
			t.Fatalf("server saw Referer %q; want it sent: %v", hr.Header.Get("Referer"), want)
		}
		if p.Header && hr.Header.Get("X-Pf") != "kept" {
			t.Fatalf("dropping Referer dropped X-Pf too: %v", hr.Header)
		}
		if p.Header && !p.Referer && !strings.Contains(e.log.String(), "sets its own Referer") {
			t.Errorf("no warning for the dropped Referer:\n%s", e.log.String())
		}
	},
	"Timeout": func(t *testing.T, e *pfEnv, p platform.Profile) {
		// Whichever timeout applies is the short one, so the test ends
		// either way; the long one would outlast the safety net.
		cfg := e.config(p)
		opts := uni.ConnectSocketOptions{URL: "wss://" + pfSlow + "/"}
		if p.Timeout {
			cfg.ConnectTimeout, opts.Timeout = time.Hour, pfShort
		} else {
			cfg.ConnectTimeout, opts.Timeout = pfShort, time.Hour
		}
		app := uni.NewApp(cfg)
		rec := newRecorder()
		task := pfConnect(app, rec, "slow", opts)
		if got := rec.line(t, "slow.error"); p.ErrorMessage && !strings.Contains(got, "timed out") {
			t.Fatalf("error %q does not name the timeout", got)
		}
		pfFinish(t, app, task)
		if !p.Timeout && !strings.Contains(e.log.String(), `ignores option "timeout"`) {
			t.Errorf("no warning for the ignored timeout:\n%s", e.log.String())
		}
	},
	"OpenHeader": func(t *testing.T, e *pfEnv, p platform.Profile) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		var header atomic.Value
		var task *uni.SocketTask
		app.Run(func() {
			task = app.ConnectSocket(uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
			task.OnOpen(func(r uni.OnOpenResult) {
				header.Store(r.Header.Get("Upgrade"))
				rec.add("open")
			})
		})
		rec.line(t, "open")
		if got := header.Load().(string); (got != "") != p.OpenHeader {
			t.Fatalf("open payload header Upgrade=%q; profile OpenHeader is %v", got, p.OpenHeader)
		}
		pfFinish(t, app, task)
	},
	"ErrorMessage": func(t *testing.T, e *pfEnv, p platform.Profile) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		task := pfConnect(app, rec, "a", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/?status=403"})
		got := strings.TrimPrefix(rec.line(t, "a.error"), "a.error ")
		if p.ErrorMessage != (got != "") {
			t.Fatalf("error payload errMsg %q; profile ErrorMessage is %v", got, p.ErrorMessage)
		}
		if p.ErrorMessage && !strings.Contains(got, "403") {
			t.Fatalf("errMsg %q does not name the status", got)
		}
		pfFinish(t, app, task)
	},
	"CloseBeforeOpen": func(t *testing.T, e *pfEnv, p platform.Profile) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		task := pfConnect(app, rec, "a", uni.ConnectSocketOptions{URL: "wss://" + pfGate + "/"})
		task.Close(uni.CloseSocketOptions{
			Success: func(r uni.GeneralCallbackResult) { rec.add("close.result %s", r.ErrMsg) },
			Fail:    func(r uni.GeneralCallbackResult) { rec.add("close.result %s", r.ErrMsg) },
		})
		switch p.CloseBeforeOpen {
		case platform.FailNotConnected:
			if got := rec.line(t, "close.result"); got != "close.result closeSocket:fail WebSocket is not connected" {
				t.Fatalf("got %q", got)
			}
			e.release()
			rec.line(t, "a.open")
		case platform.AbortHandshake:
			if got := rec.line(t, "close.result"); got != "close.result closeSocket:ok" {
				t.Fatalf("got %q", got)
			}
			rec.line(t, "a.error")
		}
		pfFinish(t, app, task)
		if p.CloseBeforeOpen == platform.AbortHandshake && p.HandshakeFailure == platform.ErrorThenClose {
			if got := rec.with("a.close"); !slices.Equal(got, []string{"a.close 1006"}) {
				t.Fatalf("close events %v, want one with 1006", got)
			}
		}
	},
	"HandshakeFailure": func(t *testing.T, e *pfEnv, p platform.Profile) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		task := pfConnect(app, rec, "a", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/?status=403"})
		pfFinish(t, app, task)
		var events []string
		for _, l := range rec.snapshot() {
			if strings.HasPrefix(l, "a.error") {
				l = "a.error"
			}
			events = append(events, l)
		}
		want := []string{"a.connect connectSocket:ok", "a.error", "a.close 1006"}
		if p.HandshakeFailure == platform.ErrorOnly {
			want = want[:2]
		}
		if !slices.Equal(events, want) {
			t.Fatalf("events %v, want %v", events, want)
		}
	},
	"Drop": func(t *testing.T, e *pfEnv, p platform.Profile) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		if p.GlobalAPI {
			app.Run(func() {
				app.OnSocketError(func(uni.OnErrorResult) { rec.add("global.error") })
				app.OnSocketClose(func(r uni.OnCloseResult) { rec.add("global.close %d", r.Code) })
			})
		}
		task := pfConnect(app, rec, "a", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/?drop=1"})
		rec.line(t, "a.close")
		pfFinish(t, app, task)
		var events []string
		for _, l := range rec.snapshot() {
			if strings.HasPrefix(l, "a.error") {
				l = "a.error"
			}
			events = append(events, l)
		}
		want := []string{"a.connect connectSocket:ok", fmt.Sprintf("a.open header=%v", p.OpenHeader), "a.close 1006", "global.close 1006"}
		if p.Drop == platform.DropErrorThenClose {
			// The error event ends the task's turn as the global target.
			want = []string{"a.connect connectSocket:ok", fmt.Sprintf("a.open header=%v", p.OpenHeader), "a.error", "global.error", "a.close 1006"}
			if p.ListenerOrder == platform.GlobalFirst {
				want[2], want[3] = want[3], want[2]
			}
		}
		if !p.GlobalAPI {
			want = slices.DeleteFunc(want, func(l string) bool { return strings.HasPrefix(l, "global.") })
		}
		if !slices.Equal(events, want) {
			t.Fatalf("events %v, want %v", events, want)
		}
	},
	"Results": func(t *testing.T, e *pfEnv, p platform.Profile) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		var task *uni.SocketTask
		app.Run(func() {
			task = app.ConnectSocket(uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
			task.OnOpen(func(uni.OnOpenResult) {
				task.Send(uni.SendSocketMessageOptions{Data: "x", Success: func(r uni.GeneralCallbackResult) { rec.add("send %s", r.ErrMsg) }})
				rec.add("send returned")
			})
			task.OnMessage(func(r uni.OnMessageResult) {
				rec.add("message %v", r.Data)
				task.Close(uni.CloseSocketOptions{Success: func(r uni.GeneralCallbackResult) { rec.add("close %s", r.ErrMsg) }})
				rec.add("close returned")
			})
			task.OnClose(func(uni.OnCloseResult) { rec.add("closed") })
		})
		rec.line(t, "closed")
		pfFinish(t, app, task)
		want := []string{"send returned", "send sendSocketMessage:ok", "message x", "close returned", "close closeSocket:ok", "closed"}
		if p.Results == platform.ResultAtCall {
			want = []string{"send sendSocketMessage:ok", "send returned", "message x", "close closeSocket:ok", "close returned", "closed"}
		}
		if got := rec.snapshot(); !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	},
	"CloseTexts": func(t *testing.T, e *pfEnv, p platform.Profile) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		ctx, cancel := context.WithTimeout(context.Background(), pfSafety)
		defer cancel()
		task, err := app.Dial(ctx, uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
		if err != nil {
			t.Fatal(err)
		}
		fail := func(r uni.GeneralCallbackResult) { rec.add("close %s", r.ErrMsg) }
		task.Close(uni.CloseSocketOptions{Code: 1001, Fail: fail})
		task.Close(uni.CloseSocketOptions{Reason: strings.Repeat("r", 124), Fail: fail})
		const prefix = "close closeSocket:fail "
		code, reason := prefix+"InvalidAccessError: Failed to execute 'close' on 'WebSocket': The code must be either 1000, or between 3000 and 4999. 1001 is neither.",
			prefix+"SyntaxError: Failed to execute 'close' on 'WebSocket': The message must not be greater than 123 bytes."
		if p.CloseTexts == platform.CloseTextsChromium156 {
			code, reason = prefix+"InvalidAccessError: Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. 1001 is neither.",
				prefix+"SyntaxError: Failed to execute 'close' on 'WebSocket': The close reason must not be greater than 123 UTF-8 bytes."
		}
		rec.waitFor(t, "close closeSocket:fail SyntaxError")
		if got := rec.snapshot(); !slices.Equal(got, []string{code, reason}) {
			t.Fatalf("got %q, want %q", got, []string{code, reason})
		}
		pfFinish(t, app, task)
	},
	"SendErrCode": func(t *testing.T, e *pfEnv, p platform.Profile) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		task := pfConnect(app, rec, "a", uni.ConnectSocketOptions{URL: "wss://" + pfGate + "/"})
		task.Send(uni.SendSocketMessageOptions{Data: "x", Fail: func(r uni.GeneralCallbackResult) { rec.add("send %s %d", r.ErrMsg, r.ErrCode) }})
		want := "send sendSocketMessage:fail SocketTask.readyState is not OPEN 0"
		if p.SendErrCode {
			want = fmt.Sprintf("send sendSocketMessage:fail SocketTask.readyState is not OPEN %d", uni.ErrCodeNotOpen)
		}
		if got := rec.line(t, "send "); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
		e.release()
		pfFinish(t, app, task)
	},
	"ListenerOrder": func(t *testing.T, e *pfEnv, p platform.Profile) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		var task *uni.SocketTask
		app.Run(func() {
			app.OnSocketOpen(func(uni.OnOpenResult) { rec.add("global") })
			task = app.ConnectSocket(uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
			task.OnOpen(func(uni.OnOpenResult) { rec.add("task") })
			task.OnOpen(func(uni.OnOpenResult) { rec.add("opened") })
		})
		rec.line(t, "opened")
		pfFinish(t, app, task)
		want := []string{"task", "opened", "global"}
		switch {
		case !p.GlobalAPI:
			want = want[:2]
		case p.ListenerOrder == platform.GlobalFirst:
			want = []string{"global", "task", "opened"}
		}
		if got := rec.snapshot(); !slices.Equal(got, want) {
			t.Fatalf("open listeners ran %v, want %v", got, want)
		}
	},
	"GlobalAPI": func(t *testing.T, e *pfEnv, p platform.Profile) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		app.SendSocketMessage(uni.SendSocketMessageOptions{Data: "x",
			Fail: func(r uni.GeneralCallbackResult) { rec.add("send %s", r.ErrMsg) }})
		got := rec.line(t, "send")
		if p.GlobalAPI != (got == "send sendSocketMessage:fail WebSocket is not connected") {
			t.Fatalf("global send gave %q; profile GlobalAPI is %v", got, p.GlobalAPI)
		}
		pfFinish(t, app)
	},
}

// pfQuotaCell fills the quota for a call with the given multiple option
// (6 sockets where there is none), then checks the next call.
func pfQuotaCell(t *testing.T, e *pfEnv, p platform.Profile, multiple bool) {
	app := uni.NewApp(e.config(p))
	rec := newRecorder()
	limit := p.Quota(multiple)
	n := limit
	if n == 0 {
		n = 6
	}
	var tasks []*uni.SocketTask
	for i := range n {
		tasks = append(tasks, pfConnect(app, rec, fmt.Sprint("s", i), uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/", Multiple: multiple}))
	}
	for i := range n {
		rec.line(t, fmt.Sprint("s", i, ".open"))
	}
	next := pfConnect(app, rec, "next", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/", Multiple: multiple})
	if limit > 0 {
		pfWantConnect(t, rec, "next", "connectSocket:fail "+p.QuotaCause(next.ID(), multiple))
	} else {
		pfWantConnect(t, rec, "next", "connectSocket:ok")
	}
	pfFinish(t, app, append(tasks, next)...)
}

// pfJSRules are the rules only the JavaScript runtime applies; package
// js's TestJSProfileRules checks their cells.
var pfJSRules = map[string]bool{"WXIsUni": true, "TaskListenerCheck": true}

// TestPlatformProfiles checks every cell of the profile table through
// uni's behaviour: one subtest per profile and rule.
func TestPlatformProfiles(t *testing.T) {
	for _, r := range platform.Rules() {
		if pfCells[r.Name] == nil && !pfJSRules[r.Name] {
			t.Errorf("rule %s has no cell check in pfCells", r.Name)
		}
	}
	for _, p := range platform.All() {
		t.Run(p.Name, func(t *testing.T) {
			for _, r := range platform.Rules() {
				check := pfCells[r.Name]
				if check == nil {
					continue
				}
				t.Run(r.Name, func(t *testing.T) { check(t, newPFEnv(t), p) })
			}
		})
	}
}

func pfProfile(t *testing.T, name string) platform.Profile {
	t.Helper()
	p, err := platform.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPlatformQuotaWeixinSixSockets: five sockets open, the sixth fails
// with WeChat's text, the five are unaffected, and closing one frees a
// slot.
func TestPlatformQuotaWeixinSixSockets(t *testing.T) {
	e := newPFEnv(t)
	app := uni.NewApp(e.config(pfProfile(t, "mp-weixin")))
	rec := newRecorder()
	var tasks []*uni.SocketTask
	for i := 1; i <= 5; i++ {
		tasks = append(tasks, pfConnect(app, rec, fmt.Sprint("s", i), uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"}))
		rec.line(t, fmt.Sprint("s", i, ".open"))
	}
	sixth := pfConnect(app, rec, "s6", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
	pfWantConnect(t, rec, "s6", "connectSocket:fail wcwss taskID=6 exceed max concurrent count")
	if sixth.ReadyState() != uni.StateClosed || len(app.Sockets()) != 5 {
		t.Fatalf("refused task is %s and the registry holds %d", sixth.ReadyState(), len(app.Sockets()))
	}
	for i, task := range tasks {
		if task.ReadyState() != uni.StateOpen {
			t.Fatalf("s%d is %s after the refusal", i+1, task.ReadyState())
		}
		task.Send(uni.SendSocketMessageOptions{Data: fmt.Sprint("ping ", i+1)})
		rec.line(t, fmt.Sprintf("s%d.message ping %d", i+1, i+1))
	}
	tasks[2].Close(uni.CloseSocketOptions{})
	waitIdle(t, app, tasks[2])
	seventh := pfConnect(app, rec, "s7", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
	pfWantConnect(t, rec, "s7", "connectSocket:ok")
	rec.line(t, "s7.open")
	if got := rec.with("s6."); len(got) != 1 {
		t.Fatalf("the refused task emitted events: %v", got)
	}
	pfFinish(t, app, append(tasks, sixth, seventh)...)
}

// TestPlatformQuotaCountsConnectingAndClosing: a socket still connecting
// and one still closing both hold a slot.
func TestPlatformQuotaCountsConnectingAndClosing(t *testing.T) {
	e := newPFEnv(t)
	cfg := e.config(pfProfile(t, "mp-weixin"))
	cfg.MaxSockets = 2
	app := uni.NewApp(cfg)
	rec := newRecorder()
	closing := pfConnect(app, rec, "closing", uni.ConnectSocketOptions{URL: "wss://" + pfMute + "/"})
	rec.line(t, "closing.open")
	e.muteAll()
	closing.Close(uni.CloseSocketOptions{})
	connecting := pfConnect(app, rec, "connecting", uni.ConnectSocketOptions{URL: "wss://" + pfGate + "/"})
	if closing.ReadyState() != uni.StateClosing || connecting.ReadyState() != uni.StateConnecting {
		t.Fatalf("states %s and %s, want CLOSING and CONNECTING", closing.ReadyState(), connecting.ReadyState())
	}
	third := pfConnect(app, rec, "third", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
	pfWantConnect(t, rec, "third", "connectSocket:fail wcwss taskID=3 exceed max concurrent count")
	e.release()
	rec.line(t, "connecting.open")
	e.mu.Lock()
	for _, c := range e.mutes {
		c.Close() // ends the close handshake that never got its answer
	}
	e.mu.Unlock()
	pfFinish(t, app, closing, connecting, third)
}

// TestPlatformQuotaReserved: the vendor's sockets take their slots.
func TestPlatformQuotaReserved(t *testing.T) {
	e := newPFEnv(t)
	cfg := e.config(pfProfile(t, "mp-weixin"))
	cfg.ReservedSockets = 2 // uni-push 2.0 and the log echo
	app := uni.NewApp(cfg)
	rec := newRecorder()
	var tasks []*uni.SocketTask
	for i := 1; i <= 3; i++ {
		tasks = append(tasks, pfConnect(app, rec, fmt.Sprint("s", i), uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"}))
		rec.line(t, fmt.Sprint("s", i, ".open"))
	}
	fourth := pfConnect(app, rec, "s4", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
	pfWantConnect(t, rec, "s4", "connectSocket:fail wcwss taskID=4 exceed max concurrent count")
	if log := e.log.String(); !strings.Contains(log, "allows 5 sockets at once, 2 of them reserved") {
		t.Errorf("the log does not explain the reserved slots:\n%s", log)
	}
	pfFinish(t, app, append(tasks, fourth)...)
}

// TestPlatformQuotaAlipaySingleAndMultiple: one socket in single-instance
// mode, five with multiple: true.
func TestPlatformQuotaAlipaySingleAndMultiple(t *testing.T) {
	e := newPFEnv(t)
	p := pfProfile(t, "mp-alipay")
	t.Run("single", func(t *testing.T) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		first := pfConnect(app, rec, "a", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
		rec.line(t, "a.open")
		second := pfConnect(app, rec, "b", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
		pfWantConnect(t, rec, "b", "connectSocket:fail WebSocket connection already exists")
		if first.ReadyState() != uni.StateOpen {
			t.Fatalf("the first socket is %s", first.ReadyState())
		}
		pfFinish(t, app, first, second)
	})
	t.Run("multiple", func(t *testing.T) {
		app := uni.NewApp(e.config(p))
		rec := newRecorder()
		var tasks []*uni.SocketTask
		for i := 1; i <= 5; i++ {
			tasks = append(tasks, pfConnect(app, rec, fmt.Sprint("m", i), uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/", Multiple: true}))
			rec.line(t, fmt.Sprint("m", i, ".open"))
		}
		sixth := pfConnect(app, rec, "m6", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/", Multiple: true})
		pfWantConnect(t, rec, "m6", "connectSocket:fail exceed max concurrent count")
		single := pfConnect(app, rec, "single", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
		pfWantConnect(t, rec, "single", "connectSocket:fail WebSocket connection already exists")
		pfFinish(t, app, append(tasks, sixth, single)...)
	})
}

// TestPlatformCloseBeforeOpenMiniProgram: on mp-*, closing before open
// fails through the task and the global API alike, and the socket opens.
func TestPlatformCloseBeforeOpenMiniProgram(t *testing.T) {
	for _, name := range []string{"mp-weixin", "mp-qq", "mp-alipay", "mp-baidu", "mp-toutiao"} {
		t.Run(name, func(t *testing.T) {
			e := newPFEnv(t)
			p := pfProfile(t, name)
			app := uni.NewApp(e.config(p))
			rec := newRecorder()
			task := pfConnect(app, rec, "a", uni.ConnectSocketOptions{URL: "wss://" + pfGate + "/"})
			result := func(r uni.GeneralCallbackResult) { rec.add("result %s", r.ErrMsg) }
			task.Close(uni.CloseSocketOptions{Fail: result, Success: result})
			if p.GlobalAPI {
				app.CloseSocket(uni.CloseSocketOptions{Fail: result, Success: result})
			}
			e.release()
			rec.line(t, "a.open")
			want := []string{"result closeSocket:fail WebSocket is not connected"}
			if p.GlobalAPI {
				want = append(want, want[0])
			}
			if got := rec.with("result"); !slices.Equal(got, want) {
				t.Fatalf("close results %v, want %v", got, want)
			}
			task.Close(uni.CloseSocketOptions{Code: 4000, Fail: result, Success: result})
			rec.line(t, "a.close")
			pfFinish(t, app, task)
			if got := rec.with("a.close"); !slices.Equal(got, []string{"a.close 4000"}) {
				t.Fatalf("close events %v, want 4000 after the socket opened", got)
			}
		})
	}
}

// TestPlatformH5EmptyPayloads: open and error payloads are {} on h5, and
// the header option is dropped with a warning.
func TestPlatformH5EmptyPayloads(t *testing.T) {
	e := newPFEnv(t)
	app := uni.NewApp(e.config(pfProfile(t, "h5")))
	rec := newRecorder()
	ok := pfConnect(app, rec, "ok", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/", Header: map[string]string{"X-A": "1"}})
	bad := pfConnect(app, rec, "bad", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/?status=500"})
	if got := rec.line(t, "ok.open"); got != "ok.open header=false" {
		t.Fatalf("open payload: %q, want {}", got)
	}
	if got := rec.line(t, "bad.error"); got != "bad.error " {
		t.Fatalf("error payload: %q, want {}", got)
	}
	rec.line(t, "bad.close 1006")
	pfFinish(t, app, ok, bad)
	if !strings.Contains(e.log.String(), `the h5 profile ignores option "header"`) {
		t.Errorf("no header warning in the log:\n%s", e.log.String())
	}
}

// TestPlatformAppErrorOnlyOnHandshakeFailure: the App platform reports a
// failed handshake with an error ({}) and no close, global listener first.
func TestPlatformAppErrorOnlyOnHandshakeFailure(t *testing.T) {
	e := newPFEnv(t)
	app := uni.NewApp(e.config(pfProfile(t, "app")))
	rec := newRecorder()
	var task *uni.SocketTask
	app.Run(func() {
		app.OnSocketError(func(r uni.OnErrorResult) { rec.add("global.error %q", r.ErrMsg) })
		app.OnSocketClose(func(r uni.OnCloseResult) { rec.add("global.close %d", r.Code) })
		task = app.ConnectSocket(uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/?status=404"})
		task.OnError(func(r uni.OnErrorResult) { rec.add("task.error %q", r.ErrMsg) })
		task.OnClose(func(r uni.OnCloseResult) { rec.add("task.close %d", r.Code) })
	})
	pfFinish(t, app, task)
	want := []string{`global.error ""`, `task.error ""`}
	if got := rec.snapshot(); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if len(app.Sockets()) != 0 {
		t.Fatal("the failed task is still registered")
	}
}

// TestPlatformHandshakeTimeout: networkTimeout.connectSocket bounds the
// whole handshake (here a TCP peer that never answers the TLS hello):
// error naming the timeout, then close 1006; a per-call timeout overrides
// the App's.
func TestPlatformHandshakeTimeout(t *testing.T) {
	for _, tc := range []struct {
		name        string
		app, call   time.Duration
		wantWarning bool
	}{
		{"app timeout", pfShort, 0, false},
		{"per-call overrides app", time.Hour, pfShort, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPFEnv(t)
			cfg := e.config(pfProfile(t, "mp-weixin"))
			cfg.ConnectTimeout = tc.app
			app := uni.NewApp(cfg)
			rec := newRecorder()
			task := pfConnect(app, rec, "slow", uni.ConnectSocketOptions{URL: "wss://" + pfSlow + "/", Timeout: tc.call})
			rec.line(t, "slow.close")
			pfFinish(t, app, task)
			got := rec.snapshot()
			if len(got) != 3 || got[0] != "slow.connect connectSocket:ok" ||
				!strings.HasPrefix(got[1], "slow.error ") || !strings.Contains(got[1], "timed out") || got[2] != "slow.close 1006" {
				t.Fatalf("events %q, want ok, an error naming the timeout, close 1006", got)
			}
			var uerr *uni.Error
			ctx, cancel := context.WithTimeout(context.Background(), pfSafety)
			defer cancel()
			_, err := app.Dial(ctx, uni.ConnectSocketOptions{URL: "wss://" + pfSlow + "/", Timeout: tc.call})
			if !errors.As(err, &uerr) || !strings.Contains(uerr.ErrMsg, "timed out") {
				t.Fatalf("Dial error %v, want one naming the timeout", err)
			}
			pfFinish(t, app)
		})
	}
}

// TestPlatformDefaultConnectTimeout: without networkTimeout the App uses
// uni-app's 60000 ms.
func TestPlatformDefaultConnectTimeout(t *testing.T) {
	if uni.DefaultConnectTimeout != 60*time.Second {
		t.Fatalf("DefaultConnectTimeout = %v, want 60s (manifest.json's default)", uni.DefaultConnectTimeout)
	}
}

// TestPlatformWhitelistDialsWhatItChecked: a host written as an IDN or an
// IPv4 address in hex is dialled in the canonical form the whitelist
// checked, and a refusal is explained in the log.
func TestPlatformWhitelistDialsWhatItChecked(t *testing.T) {
	e := newPFEnv(t)
	cfg := e.config(pfProfile(t, "mp-weixin"))
	cfg.AllowLANIP = true
	app := uni.NewApp(cfg)
	rec := newRecorder()
	idn := pfConnect(app, rec, "idn", uni.ConnectSocketOptions{URL: "wss://例子.测试:8443/"})
	lan := pfConnect(app, rec, "lan", uni.ConnectSocketOptions{URL: "wss://0xc0.0xa8.1.10/"})
	up := pfConnect(app, rec, "up", uni.ConnectSocketOptions{URL: "wss://SOCKET.Example.com./"})
	rec.line(t, "idn.open")
	rec.line(t, "lan.open")
	rec.line(t, "up.open")
	evil := pfConnect(app, rec, "evil", uni.ConnectSocketOptions{URL: "wss://socket.example.com@2130706433/"})
	pfWantConnect(t, rec, "evil", pfNotListed)
	pfFinish(t, app, idn, lan, up, evil)
	dialled := e.dialledAddrs()
	for _, want := range []string{pfIDN + ":8443", pfLAN + ":443", "SOCKET.Example.com.:443"} {
		if !slices.Contains(dialled, want) {
			t.Errorf("dialled %v, want %s among them", dialled, want)
		}
	}
	if log := e.log.String(); !strings.Contains(log, "127.0.0.1 is a loopback address") {
		t.Errorf("the log does not explain the refusal:\n%s", log)
	}
	if idn.URL() != "wss://例子.测试:8443/" {
		t.Errorf("task URL %q, want the URL as given", idn.URL())
	}
}

// TestPlatformSkipURLCheck: the developer tools' switch admits ws://,
// localhost and unlisted hosts on a mini-program profile.
func TestPlatformSkipURLCheck(t *testing.T) {
	e := newPFEnv(t)
	cfg := e.config(pfProfile(t, "mp-weixin"))
	cfg.SkipURLCheck = true
	app := uni.NewApp(cfg)
	rec := newRecorder()
	local := pfConnect(app, rec, "local", uni.ConnectSocketOptions{URL: "wss://localhost/"})
	plain := pfConnect(app, rec, "plain", uni.ConnectSocketOptions{URL: "ws://localhost/"})
	pfWantConnect(t, rec, "local", "connectSocket:ok")
	pfWantConnect(t, rec, "plain", "connectSocket:ok")
	rec.line(t, "local.open")
	pfFinish(t, app, local, plain)
}

// TestPlatformBadDomainList: an invalid whitelist entry fails every
// connect and names the entry.
func TestPlatformBadDomainList(t *testing.T) {
	e := newPFEnv(t)
	cfg := e.config(pfProfile(t, "mp-weixin"))
	cfg.Domains = []string{pfSocket, "*.example.com"}
	app := uni.NewApp(cfg)
	rec := newRecorder()
	task := pfConnect(app, rec, "a", uni.ConnectSocketOptions{URL: "wss://" + pfSocket + "/"})
	got := rec.line(t, "a.connect")
	if !strings.Contains(got, `connectSocket:fail invalid socket domain list: socket domain "*.example.com": wildcards`) {
		t.Fatalf("got %q", got)
	}
	pfFinish(t, app, task)
}

// TestPlatformStandardDomainsWhenConfigured: on the standard profile the
// whitelist applies once configured, and not otherwise.
func TestPlatformStandardDomainsWhenConfigured(t *testing.T) {
	e := newPFEnv(t)
	cfg := e.config(platform.Standard())
	rec := newRecorder()
	listed := uni.NewApp(cfg)
	a := pfConnect(listed, rec, "a", uni.ConnectSocketOptions{URL: "wss://localhost/"})
	pfWantConnect(t, rec, "a", pfNotListed)
	cfg.Domains = nil
	open := uni.NewApp(cfg)
	b := pfConnect(open, rec, "b", uni.ConnectSocketOptions{URL: "wss://localhost/"})
	rec.line(t, "b.open")
	pfFinish(t, listed, a)
	pfFinish(t, open, b)
}
