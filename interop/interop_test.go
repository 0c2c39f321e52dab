//go:build interop

package interop

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/unisocket/unisocket/internal/testutil"
	"github.com/unisocket/unisocket/uni"
)

// safety bounds every wait so a broken peer or client fails the test
// instead of hanging it. It is never an assertion on speed.
const safety = 20 * time.Second

// ---- results table ----

var results = struct {
	sync.Mutex
	cell map[string]map[string]string // feature -> peer -> status
}{cell: map[string]map[string]string{}}

// features in table order, with what each checks.
var features = []struct{ name, what string }{
	{"text echo", "a text message comes back as the same string"},
	{"binary echo", "a binary message with every byte value comes back unchanged"},
	{"1 MiB message", "a 1 MiB binary message comes back unchanged"},
	{"subprotocol selected", "protocols [x-none, chat.v1]: the server picks chat.v1, and says so"},
	{"subprotocol refused", "protocols [x-none]: the server confirms none, so uni fails the connection: error, then close 1006"},
	{"server close 4001", "the server closes with 4001 \"bye\": onClose gets them, no error event"},
	{"client close", "Shutdown(3001, \"ciao\"), and Close with no code: the server receives 3001 \"ciao\", then 1000 \"\""},
	{"server ping", "the server pings with a fresh payload: uni answers with the same payload"},
	{"client ping", "SocketTask.Ping gets the server's pong"},
	{"permessage-deflate", "not offered by default; with PerMessageDeflate it is negotiated, a compressible 270 KB message is compressed on the wire both ways, and context takeover (a repeated message costing little the second time) is used in the directions the server's answer allows, and only in those"},
	{"handshake 403", "the server refuses the upgrade with 403: error naming 403, then close 1006"},
}

// peers are the servers every row runs against, in column order: name is
// the subtest's, column the table's header, short how the JS runtime cell
// names it.
var peers = []struct{ name, column, short string }{
	{"node", "Node `ws`", "ws"},
	{"python", "Python `websockets`", "websockets"},
	{"gorilla", "Go `gorilla/websocket` (server)", "gorilla"},
}

// jsPeer is the results key of the JS runtime's run against a peer.
func jsPeer(peer string) string { return "js/" + peer }

func record(feature, peer, status string) {
	results.Lock()
	defer results.Unlock()
	if results.cell[feature] == nil {
		results.cell[feature] = map[string]string{}
	}
	results.cell[feature][peer] = status
}

// notes let a passing feature say more than "pass"; verdicts replace
// "pass" altogether (e.g. "n/a (…)" for what the API under test lacks),
// unless the test failed.
var notes, verdicts sync.Map // "feature|peer" -> string

// status is a finished subtest's cell.
func status(t *testing.T, feature, peer string) string {
	key := feature + "|" + peer
	switch {
	case t.Failed():
		return "**FAIL**"
	case t.Skipped():
		return "skipped"
	}
	if v, ok := verdicts.Load(key); ok {
		return v.(string)
	}
	if n, ok := notes.Load(key); ok {
		return "pass: " + n.(string)
	}
	return "pass"
}

func markdown() string {
	results.Lock()
	defer results.Unlock()
	var b strings.Builder
	b.WriteString("| feature |")
	for _, p := range peers {
		b.WriteString(" " + p.column + " |")
	}
	b.WriteString(" JS runtime (`js/`) | what is checked |\n")
	b.WriteString(strings.Repeat("|---", len(peers)+3) + "|\n")
	for _, f := range features {
		fmt.Fprintf(&b, "| %s |", f.name)
		for _, p := range peers {
			fmt.Fprintf(&b, " %s |", cell(results.cell[f.name][p.name]))
		}
		fmt.Fprintf(&b, " %s | %s |\n", jsCell(results.cell[f.name]), f.what)
	}
	return b.String()
}

func cell(s string) string {
	if s == "" {
		return "not run"
	}
	return s
}

// jsCell sums up the JS runtime's runs against the peers: each status
// once, followed by the peers that gave it, e.g. "pass (ws, websockets,
// gorilla)", "pass (ws); **FAIL** (websockets, gorilla)" or "n/a (why) with
// ws, websockets, gorilla".
func jsCell(row map[string]string) string {
	var order []string
	by := map[string][]string{}
	for _, p := range peers {
		s := cell(row[jsPeer(p.name)])
		if by[s] == nil {
			order = append(order, s)
		}
		by[s] = append(by[s], p.short)
	}
	parts := make([]string, len(order))
	for i, s := range order {
		if strings.HasSuffix(s, ")") { // "n/a (why)": no second parenthesis
			parts[i] = s + " with " + strings.Join(by[s], ", ")
		} else {
			parts[i] = s + " (" + strings.Join(by[s], ", ") + ")"
		}
	}
	return strings.Join(parts, "; ")
}

type resultsRunner struct{ m *testing.M }

func (r resultsRunner) Run() int {
	code := r.m.Run()
	results.Lock()
	ran := len(results.cell) > 0
	results.Unlock()
	if ran {
		table := markdown()
		fmt.Printf("\nInterop results (peer × feature):\n\n%s\n", table)
		if path := os.Getenv("UNISOCKET_INTEROP_RESULTS"); path != "" {
			doc := "# Interop results\n\n" +
				"Generated by `UNISOCKET_INTEROP_RESULTS=RESULTS.md go test -tags interop ./interop/...`" +
				" (a relative path is taken from interop/, where the test runs).\n" +
				"Peers: Node `ws` (interop/testdata/node, pinned by package-lock.json), Debian's python3-websockets" +
				" (interop/testdata/python) and github.com/gorilla/websocket (interop/gorilla_test.go, in the test process)," +
				" each a small server on 127.0.0.1 with the same paths and behaviours.\n" +
				"The peer columns are the uni Go API against each peer. The JS runtime column is package js running" +
				" interop/testdata/js/<feature>.js (uni.connectSocket, task form, with its listeners) against the same" +
				" peers, the console.log output compared line for line; it names the peers each outcome was seen with.\n\n" +
				table + "\n" + runtimeVersions()
			if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
				fmt.Fprintf(os.Stderr, "writing %s: %v\n", path, err)
				return 1
			}
		}
	}
	return code
}

func runtimeVersions() string {
	var b strings.Builder
	b.WriteString("Versions: Go " + runtime.Version())
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		b.WriteString(", Node " + strings.TrimSpace(string(out)))
	}
	if out, err := exec.Command("node", "-p", "require('./testdata/node/node_modules/ws/package.json').version").Output(); err == nil {
		b.WriteString(", ws " + strings.TrimSpace(string(out)))
	}
	if out, err := exec.Command("/usr/bin/python3", "-c", "import sys, websockets; print(sys.version.split()[0], websockets.__version__)").Output(); err == nil {
		f := strings.Fields(string(out))
		if len(f) == 2 {
			b.WriteString(", Python " + f[0] + ", websockets " + f[1])
		}
	}
	// A test binary records no module versions; go.mod's are the ones built.
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Path}} {{.Version}}", "github.com/gorilla/websocket", "github.com/dop251/goja").Output(); err == nil {
		for line := range strings.Lines(string(out)) {
			if path, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
				b.WriteString(", " + strings.TrimPrefix(strings.TrimPrefix(path, "github.com/"), "dop251/") + " " + v)
			}
		}
	}
	return b.String() + ".\n"
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(resultsRunner{m}) }

// ---- peers ----

// startPeer runs a peer server and returns its base URL. The Node and
// Python servers exit when their stdin closes (the cleanup also kills
// them); the gorilla one is in this process, and the cleanup closes it.
func startPeer(t *testing.T, name string) string {
	t.Helper()
	var cmd *exec.Cmd
	switch name {
	case "node":
		if _, err := os.Stat("testdata/node/node_modules/ws/package.json"); err != nil {
			t.Fatalf("Node ws is not installed: run `npm ci` in interop/testdata/node (%v)", err)
		}
		cmd = exec.Command("node", "server.js")
		cmd.Dir = "testdata/node"
	case "python":
		// Debian's python3 sees Debian's python3-websockets; the python3 on
		// PATH may be another (pyenv) one.
		cmd = exec.Command("/usr/bin/python3", "server.py")
		cmd.Dir = "testdata/python"
	case "gorilla":
		p := startGorilla()
		t.Cleanup(p.Close)
		return p.URL()
	default:
		t.Fatalf("unknown peer %q", name)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr testutil.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the %s peer: %v", name, err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		_ = stdin.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s peer stderr:\n%s", name, stderr.String())
		}
	})
	portc := make(chan string, 1)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "PORT "); ok {
				select {
				case portc <- p:
				default:
				}
			}
		}
		_ = cmd.Wait()
	}()
	select {
	case p := <-portc:
		if _, err := strconv.Atoi(p); err != nil {
			t.Fatalf("%s peer printed port %q", name, p)
		}
		return "ws://127.0.0.1:" + p
	case <-done:
		t.Fatalf("the %s peer exited before printing its port; stderr:\n%s", name, stderr.String())
	case <-time.After(safety):
		t.Fatalf("the %s peer printed no port; stderr:\n%s", name, stderr.String())
	}
	return ""
}

// ---- helpers ----

func newApp() *uni.App {
	return uni.NewApp(uni.Config{ConnectTimeout: safety, ErrorLog: log.New(io.Discard, "", 0)})
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), safety)
	t.Cleanup(cancel)
	return c
}

func dial(t *testing.T, app *uni.App, opts uni.ConnectSocketOptions) *uni.SocketTask {
	t.Helper()
	task, err := app.Dial(ctx(t), opts)
	if err != nil {
		t.Fatalf("Dial %s: %v", opts.URL, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), safety)
		defer cancel()
		_ = task.Shutdown(ctx, 1000, "")
		select {
		case <-task.Done():
		case <-time.After(safety):
			t.Errorf("%s did not close within the safety net", task)
			task.Abort()
		}
	})
	return task
}

func receive(t *testing.T, task *uni.SocketTask) any {
	t.Helper()
	m, err := task.Receive(ctx(t))
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return m.Data
}

func receiveText(t *testing.T, task *uni.SocketTask) string {
	t.Helper()
	d := receive(t, task)
	s, ok := d.(string)
	if !ok {
		t.Fatalf("received %T, want a text message", d)
	}
	return s
}

// events records a task's events in order, through its listeners.
type events struct {
	mu    sync.Mutex
	lines []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	e.lines = append(e.lines, s)
	e.mu.Unlock()
}

func (e *events) get() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.lines...)
}

// connectWithListeners connects with ConnectSocket, adding listeners in
// the same turn (App.Run), and waits until the task is CLOSED and every
// event was delivered.
func connectWithListeners(t *testing.T, app *uni.App, opts uni.ConnectSocketOptions, whileOpen func(*uni.SocketTask)) []string {
	t.Helper()
	ev := &events{}
	var task *uni.SocketTask
	app.Run(func() {
		task = app.ConnectSocket(opts)
		task.OnOpen(func(uni.OnOpenResult) { ev.add("open") })
		task.OnError(func(r uni.OnErrorResult) { ev.add("error " + r.ErrMsg) })
		task.OnMessage(func(r uni.OnMessageResult) { ev.add(fmt.Sprintf("message %v", r.Data)) })
		task.OnClose(func(r uni.OnCloseResult) { ev.add(fmt.Sprintf("close %d %q", r.Code, r.Reason)) })
	})
	if whileOpen != nil {
		whileOpen(task)
	}
	select {
	case <-task.Done():
	case <-time.After(safety):
		t.Fatalf("the task did not close; events so far: %q", ev.get())
	}
	select {
	case <-app.Idle():
	case <-time.After(safety):
		t.Fatal("the App's callbacks did not finish")
	}
	return ev.get()
}

// ---- the suite ----

func TestInterop(t *testing.T) {
	for _, peer := range peers {
		t.Run(peer.name, func(t *testing.T) {
			base := startPeer(t, peer.name)
			t.Run("uni", func(t *testing.T) {
				for _, f := range features {
					t.Run(strings.ReplaceAll(f.name, " ", "_"), func(t *testing.T) {
						t.Cleanup(func() { record(f.name, peer.name, status(t, f.name, peer.name)) })
						featureTests[f.name](t, peer.name, base)
					})
				}
			})
			t.Run("js", func(t *testing.T) {
				for _, f := range features {
					t.Run(strings.ReplaceAll(f.name, " ", "_"), func(t *testing.T) {
						t.Cleanup(func() { record(f.name, jsPeer(peer.name), status(t, f.name, jsPeer(peer.name))) })
						runJSCase(t, f.name, peer.name, base)
					})
				}
			})
		})
	}
}

var featureTests = map[string]func(t *testing.T, peer, base string){
	"text echo": func(t *testing.T, peer, base string) {
		task := dial(t, newApp(), uni.ConnectSocketOptions{URL: base + "/echo"})
		for _, s := range []string{"hello", "", "héllo wörld ✓ 🎉", strings.Repeat("x", 70000)} {
			if err := task.Write(ctx(t), s); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if got := receiveText(t, task); got != s {
				t.Fatalf("echo of %d-byte text = %d bytes %q…", len(s), len(got), trim(got))
			}
		}
	},
	"binary echo": func(t *testing.T, peer, base string) {
		task := dial(t, newApp(), uni.ConnectSocketOptions{URL: base + "/echo"})
		all := make([]byte, 256)
		for i := range all {
			all[i] = byte(i)
		}
		for _, b := range [][]byte{all, {0}, {0xff, 0xfe}} {
			if err := task.Write(ctx(t), b); err != nil {
				t.Fatalf("Write: %v", err)
			}
			got, ok := receive(t, task).([]byte)
			if !ok || !bytes.Equal(got, b) {
				t.Fatalf("echo of % x = %v", b, got)
			}
		}
	},
	"1 MiB message": func(t *testing.T, peer, base string) {
		task := dial(t, newApp(), uni.ConnectSocketOptions{URL: base + "/echo"})
		b := make([]byte, 1<<20)
		_, _ = rand.Read(b)
		if err := task.Write(ctx(t), b); err != nil {
			t.Fatalf("Write: %v", err)
		}
		got, ok := receive(t, task).([]byte)
		if !ok || !bytes.Equal(got, b) {
			t.Fatalf("1 MiB echo differs (%d bytes back)", len(got))
		}
	},
	"subprotocol selected": func(t *testing.T, peer, base string) {
		task := dial(t, newApp(), uni.ConnectSocketOptions{URL: base + "/subprotocol", Protocols: []string{"x-none", "chat.v1"}})
		if got := task.Subprotocol(); got != "chat.v1" {
			t.Errorf("Subprotocol() = %q, want chat.v1", got)
		}
		if got := receiveText(t, task); got != "subprotocol:chat.v1" {
			t.Errorf("server says %q, want subprotocol:chat.v1", got)
		}
	},
	"subprotocol refused": func(t *testing.T, peer, base string) {
		ev := connectWithListeners(t, newApp(), uni.ConnectSocketOptions{URL: base + "/subprotocol", Protocols: []string{"x-none"}}, nil)
		t.Logf("events: %q", ev)
		if len(ev) != 2 || !strings.HasPrefix(ev[0], "error ") || !strings.Contains(ev[0], "subprotocol") || ev[1] != `close 1006 ""` {
			t.Errorf("events = %q, want an error naming the subprotocol, then close 1006", ev)
		}
		// The Go form reports the same failure.
		_, err := newApp().Dial(ctx(t), uni.ConnectSocketOptions{URL: base + "/subprotocol", Protocols: []string{"x-none"}})
		var ue *uni.Error
		if !errors.As(err, &ue) || !strings.Contains(ue.ErrMsg, "x-none") {
			t.Errorf("Dial = %v, want a *uni.Error naming x-none", err)
		}
	},
	"server close 4001": func(t *testing.T, peer, base string) {
		ev := connectWithListeners(t, newApp(), uni.ConnectSocketOptions{URL: base + "/close?code=4001&reason=bye"}, nil)
		if want := []string{"open", `close 4001 "bye"`}; fmt.Sprint(ev) != fmt.Sprint(want) {
			t.Errorf("events = %q, want %q", ev, want)
		}
		// Receive reports the same close.
		task, err := newApp().Dial(ctx(t), uni.ConnectSocketOptions{URL: base + "/close?code=4001&reason=bye"})
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		_, err = task.Receive(ctx(t))
		var ce *uni.CloseError
		if !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != "bye" || ce.Err != nil {
			t.Errorf("Receive = %v, want a clean CloseError 4001 bye", err)
		}
	},
	"client close": func(t *testing.T, peer, base string) {
		app := newApp()
		id := fmt.Sprintf("%s-%d", peer, time.Now().UnixNano())
		task, err := app.Dial(ctx(t), uni.ConnectSocketOptions{URL: base + "/echo?id=" + id})
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		if err := task.Shutdown(ctx(t), 3001, "ciao"); err != nil {
			t.Fatalf("Shutdown = %v, want nil (closed with our code)", err)
		}
		probe := dial(t, app, uni.ConnectSocketOptions{URL: base + "/lastclose?id=" + id})
		if got := receiveText(t, probe); got != "close:3001:ciao" {
			t.Errorf("server received %q, want close:3001:ciao", got)
		}

		// SocketTask.Close with no code sends 1000, and the close event
		// reports it.
		id2 := id + "-default"
		var result string
		ev := connectWithListeners(t, app, uni.ConnectSocketOptions{URL: base + "/echo?id=" + id2}, func(task *uni.SocketTask) {
			opened := make(chan struct{})
			app.Run(func() {
				if task.ReadyState() == uni.StateOpen {
					close(opened)
					return
				}
				task.OnOpen(func(uni.OnOpenResult) { close(opened) })
			})
			select {
			case <-opened:
			case <-time.After(safety):
				t.Fatal("the socket did not open")
			}
			app.Run(func() {
				task.Close(uni.CloseSocketOptions{Complete: func(r uni.GeneralCallbackResult) { result = r.ErrMsg }})
			})
		})
		if want := []string{"open", `close 1000 ""`}; fmt.Sprint(ev) != fmt.Sprint(want) {
			t.Errorf("events = %q, want %q", ev, want)
		}
		if result != "closeSocket:ok" {
			t.Errorf("Close result = %q, want closeSocket:ok", result)
		}
		probe2 := dial(t, app, uni.ConnectSocketOptions{URL: base + "/lastclose?id=" + id2})
		if got := receiveText(t, probe2); got != "close:1000:" {
			t.Errorf("server received %q, want close:1000:", got)
		}
	},
	"server ping": func(t *testing.T, peer, base string) {
		task := dial(t, newApp(), uni.ConnectSocketOptions{URL: base + "/ping"})
		got := receiveText(t, task)
		if !strings.HasPrefix(got, "pong:ping-") || !strings.HasSuffix(got, ":ok") {
			t.Errorf("server reports %q, want pong:<payload>:ok", got)
		}
	},
	"client ping": func(t *testing.T, peer, base string) {
		task := dial(t, newApp(), uni.ConnectSocketOptions{URL: base + "/echo"})
		for i := 0; i < 3; i++ {
			if err := task.Ping(ctx(t)); err != nil {
				t.Fatalf("Ping %d: %v", i, err)
			}
		}
	},
	"permessage-deflate": func(t *testing.T, peer, base string) {
		// Not asked for: none negotiated.
		plain := dial(t, newApp(), uni.ConnectSocketOptions{URL: base + "/deflate"})
		if got := receiveText(t, plain); got != "extensions:" {
			t.Errorf("without PerMessageDeflate the server negotiated %q, want none", got)
		}
		// Asked for: negotiated, and a compressible message crosses the
		// wire compressed both ways (bytes counted on the TCP connection).
		var in, out atomic.Int64
		app := uni.NewApp(uni.Config{
			ConnectTimeout: safety,
			ErrorLog:       log.New(io.Discard, "", 0),
			DialContext: func(c context.Context, network, addr string) (net.Conn, error) {
				conn, err := (&net.Dialer{}).DialContext(c, network, addr)
				if err != nil {
					return nil, err
				}
				return &countingConn{Conn: conn, in: &in, out: &out}, nil
			},
		})
		task := dial(t, app, uni.ConnectSocketOptions{URL: base + "/deflate", PerMessageDeflate: true})
		if got := receiveText(t, task); got != "extensions:permessage-deflate" {
			t.Fatalf("with PerMessageDeflate the server says %q, want extensions:permessage-deflate", got)
		}
		if h := task.ResponseHeader().Get("Sec-WebSocket-Extensions"); !strings.Contains(h, "permessage-deflate") {
			t.Errorf("response Sec-WebSocket-Extensions = %q", h)
		}
		in0, out0 := in.Load(), out.Load()
		msg := strings.Repeat("unisocket compresses well. ", 10000) // 270 KB
		if err := task.Write(ctx(t), msg); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if got := receiveText(t, task); got != msg {
			t.Fatalf("compressed echo differs: %d bytes", len(got))
		}
		sent, recv := out.Load()-out0, in.Load()-in0
		if sent > int64(len(msg))/10 || recv > int64(len(msg))/10 {
			t.Errorf("a %d-byte message took %d bytes out and %d in: not compressed", len(msg), sent, recv)
		}
		// Context takeover: a message of pseudo-random hex sent twice costs
		// little the second time in a direction that keeps its window, as
		// much as the first time in one that does not. What is seen must
		// be what was negotiated (gorilla allows none either way).
		ext := task.ResponseHeader().Get("Sec-WebSocket-Extensions")
		// Fixed pseudo-random bytes keep the table's numbers stable.
		rnd := make([]byte, 2048)
		_, _ = mrand.NewChaCha8([32]byte{'u', 'n', 'i'}).Read(rnd)
		text := hex.EncodeToString(rnd) // 4 KiB
		var outs, ins [2]int64
		for i := range 2 {
			in0, out0 := in.Load(), out.Load()
			if err := task.Write(ctx(t), text); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if got := receiveText(t, task); got != text {
				t.Fatalf("compressed echo of %d-byte text differs", len(text))
			}
			outs[i], ins[i] = out.Load()-out0, in.Load()-in0
		}
		// kept reports whether the sender in direction dir ("client" or
		// "server") kept its window; without takeover both copies compress
		// to the same size.
		kept := func(dir string, sizes [2]int64) bool {
			k := sizes[1] < sizes[0]*9/10
			if negotiated := !strings.Contains(ext, dir+"_no_context_takeover"); k != negotiated {
				t.Errorf("negotiated %q, but the %s sent a repeated %d-byte text as %d then %d bytes", ext, dir, len(text), sizes[0], sizes[1])
			}
			return k
		}
		var window string
		switch c, s := kept("client", outs), kept("server", ins); {
		case c && s:
			window = "context takeover both ways"
		case !c && !s:
			params := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(ext, "permessage-deflate"), ";"))
			window = "no context takeover either way, as the server answered `" + params + "`"
		default:
			window = fmt.Sprintf("context takeover by the client %v, by the server %v, as negotiated (`%s`)", c, s, ext)
		}
		notes.Store("permessage-deflate|"+peer, fmt.Sprintf("%d B each way as %d B out, %d B in; %s (a %d B pseudo-random hex text sent twice: %d then %d B out, %d then %d B in)",
			len(msg), sent, recv, window, len(text), outs[0], outs[1], ins[0], ins[1]))
	},
	"handshake 403": func(t *testing.T, peer, base string) {
		ev := connectWithListeners(t, newApp(), uni.ConnectSocketOptions{URL: base + "/reject"}, nil)
		t.Logf("events: %q", ev)
		if len(ev) != 2 || !strings.HasPrefix(ev[0], "error ") || !strings.Contains(ev[0], "403") || ev[1] != `close 1006 ""` {
			t.Errorf("events = %q, want an error naming 403, then close 1006", ev)
		}
	},
}

type countingConn struct {
	net.Conn
	in, out *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out.Add(int64(n))
	return n, err
}

func trim(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

// TestFeatureTable keeps the table and the tests in step.
func TestFeatureTable(t *testing.T) {
	for _, f := range features {
		if featureTests[f.name] == nil {
			t.Errorf("feature %q has no test", f.name)
		}
	}
	if len(featureTests) != len(features) {
		t.Errorf("%d tests for %d features", len(featureTests), len(features))
	}
	for _, f := range features {
		if _, ok := jsCases[f.name]; !ok {
			t.Errorf("feature %q has no JS script", f.name)
		}
	}
	if len(jsCases) != len(features) {
		t.Errorf("%d JS scripts for %d features", len(jsCases), len(features))
	}
}
