//go:build linux || darwin

package main

// The REPL, driven through a pseudo-terminal as a person would: type,
// read the screen.

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/creack/pty"

	"github.com/unisocket/unisocket/internal/testutil"
	"github.com/unisocket/unisocket/server"
)

// connectTerm is `unisocket connect` running on a pseudo-terminal.
type connectTerm struct {
	ptmx   *os.File
	screen *testutil.Buffer // everything written to the terminal
	done   chan struct{}
	code   int
	read   chan struct{} // closed when the terminal's output is drained
	cache  string        // XDG_CACHE_HOME: the history's home
}

func startConnectTerm(t *testing.T, args ...string) *connectTerm {
	t.Helper()
	ct := &connectTerm{screen: new(testutil.Buffer), done: make(chan struct{}), read: make(chan struct{}), cache: t.TempDir()}
	cmd := exec.Command(connectBinary(t), append([]string{"connect"}, args...)...)
	cmd.Env = append(connectEnv(t), "TERM=xterm", "XDG_CACHE_HOME="+ct.cache)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	ct.ptmx = ptmx
	go func() {
		defer close(ct.read)
		_, _ = io.Copy(ct.screen, ptmx) // ends with EIO once the command is gone
	}()
	go func() {
		err := cmd.Wait()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			ct.code = ee.ExitCode()
		case err != nil:
			ct.code = -1
		}
		close(ct.done)
	}()
	t.Cleanup(func() {
		select {
		case <-ct.done:
		default:
			_ = cmd.Process.Kill()
			<-ct.done
		}
		_ = ptmx.Close()
		<-ct.read
	})
	return ct
}

func (ct *connectTerm) waitFor(t *testing.T, re string) {
	t.Helper()
	ct.screen.WaitFor(t, "the terminal", regexp.MustCompile(re))
}

// typeLine types s and Enter (a carriage return, as a terminal sends it).
func (ct *connectTerm) typeLine(t *testing.T, s string) {
	t.Helper()
	if _, err := ct.ptmx.Write([]byte(s + "\r")); err != nil {
		t.Fatal(err)
	}
}

func (ct *connectTerm) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-ct.done:
	case <-time.After(connectGuard):
		t.Fatalf("the REPL did not exit; the terminal shows:\n%s", ct.screen)
	}
	return ct.code
}

func TestConnectREPL(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	ct := startConnectTerm(t, srv.URL()+"/chat?send=1")
	ct.waitFor(t, `\* connected to ws://127\.0\.0\.1:\d+/chat\?send=1 \(subprotocol: none\)`)
	ct.waitFor(t, `\* type a message and press Enter`)
	ct.waitFor(t, `< message 1`)

	ct.typeLine(t, "hello")
	ct.waitFor(t, `> hello\r\n(.|\n)*< hello`)

	ct.typeLine(t, "/binary 48 69 00")
	ct.waitFor(t, `> binary, 3 bytes\r\n  00000000: 4869 00 +Hi\.`)
	ct.waitFor(t, `< binary, 3 bytes\r\n  00000000: 4869 00 +Hi\.`)

	ct.typeLine(t, "/text /not a command")
	ct.waitFor(t, `< /not a command`)

	ct.typeLine(t, "/ping")
	ct.waitFor(t, `\* pong after [0-9.]+[µm]?s`)

	ct.typeLine(t, "/bogus")
	ct.waitFor(t, `! unknown command /bogus`)

	ct.typeLine(t, "/close 1001") // not a code an application may send
	ct.waitFor(t, `! closeSocket:fail .*1001`)

	ct.typeLine(t, "/close 4000 bye now")
	ct.waitFor(t, `\* closed: code 4000, reason "bye now"`)
	if code := ct.wait(t); code != exitOK {
		t.Fatalf("exit status %d; the terminal shows:\n%s", code, ct.screen)
	}
	screen := ct.screen.String()
	if strings.Contains(screen, "\x1b[3") {
		t.Errorf("colours despite NO_COLOR:\n%q", screen)
	}

	hist, err := os.ReadFile(filepath.Join(ct.cache, "unisocket", "connect_history"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hello\n", "/ping\n", "/close 4000 bye now\n"} {
		if !strings.Contains(string(hist), want) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
}

func TestConnectREPLQuit(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	for _, quit := range []string{"/quit\r", "\x04" /* Ctrl-D */, "\x03" /* Ctrl-C */} {
		ct := startConnectTerm(t, srv.URL()+"/")
		ct.waitFor(t, `\* type a message`)
		if _, err := ct.ptmx.Write([]byte(quit)); err != nil {
			t.Fatal(err)
		}
		// Any close ends the wait, so that a wrong one fails at once with
		// the screen instead of at the guard.
		ct.waitFor(t, `\* closed: code \d+.*\r\n`)
		if code := ct.wait(t); code != exitOK || !strings.Contains(ct.screen.String(), "* closed: code 1000\r\n") {
			t.Errorf("%q: exit status %d; the terminal shows:\n%s", quit, code, ct.screen)
		}
	}
}

func TestConnectREPLServerCloses(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	ct := startConnectTerm(t, "--json", "-t", srv.URL()+"/?close=4001&reason=done&after=1")
	ct.waitFor(t, `\* type a message`)
	ct.typeLine(t, `{"a":[1,2]}`)
	// Pretty JSON, each line under the first, after the time and mark.
	ct.waitFor(t, `\d\d:\d\d:\d\d\.\d{3} < \{\r\n {15}  "a": \[`)
	ct.waitFor(t, `\* closed by the server: code 4001, reason "done"`)
	if code := ct.wait(t); code != exitOK {
		t.Fatalf("exit status %d; the terminal shows:\n%s", code, ct.screen)
	}
}

// connectSizeServer answers each message with its size and a digest of
// its content, so that a test can tell a whole message from a cut one
// without the message coming back to the screen.
func connectSizeServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(-1)
		for {
			_, data, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if err := c.Write(r.Context(), websocket.MessageText, []byte(connectDigest(data))); err != nil {
				return
			}
		}
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return "ws://" + ln.Addr().String() + "/"
}

func connectDigest(data []byte) string {
	return fmt.Sprintf("got %d bytes, sha256 %x", len(data), sha256.Sum256(data))
}

// paste writes data to the terminal at once, as a terminal does with a
// paste, without blocking the test past the guard.
func (ct *connectTerm) paste(t *testing.T, data []byte) {
	t.Helper()
	done := make(chan error, 1)
	go func() { _, err := ct.ptmx.Write(data); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(connectGuard):
		t.Fatalf("the terminal did not take %d bytes; it shows:\n%s", len(data), ct.screen)
	}
}

// TestConnectREPLLongLines pastes lines longer than the line editor takes
// (x/term's 4096 characters): each is sent whole, and one over the message
// limit is refused with a message, not cut.
func TestConnectREPLLongLines(t *testing.T) {
	connectLeakCheck(t)
	url := connectSizeServer(t)
	ct := startConnectTerm(t, "--max-message", "1MiB", url)
	ct.waitFor(t, `\* type a message`)
	for _, size := range []int{4 << 10, 64 << 10, 1 << 20} {
		line := make([]byte, size)
		for i := range line {
			line[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i%36]
		}
		copy(line[size-6:], "é-end") // a multi-byte character near the end
		ct.paste(t, append(line, '\r'))
		ct.waitFor(t, regexp.QuoteMeta("< "+connectDigest(line)))
		ct.waitFor(t, fmt.Sprintf(`that line is %d bytes long`, size))
	}
	ct.paste(t, append(bytes.Repeat([]byte("x"), 1<<20+1), '\r'))
	ct.waitFor(t, `! the line is 1048577 bytes, more than the 1048576-byte message limit \(--max-message\); not sent`)
	ct.typeLine(t, "short")
	ct.waitFor(t, regexp.QuoteMeta("< "+connectDigest([]byte("short"))))
	ct.typeLine(t, "/quit")
	ct.waitFor(t, `\* closed: code 1000`)
	if code := ct.wait(t); code != exitOK {
		t.Fatalf("exit status %d", code)
	}

	// A limit below the editor's: a short line over it is refused too.
	ct = startConnectTerm(t, "--max-message", "100", url) // the replies are 84 bytes
	ct.waitFor(t, `\* type a message`)
	ct.typeLine(t, strings.Repeat("y", 101))
	ct.waitFor(t, `! the line is 101 bytes, more than the 100-byte message limit`)
	ct.typeLine(t, "short")
	ct.waitFor(t, regexp.QuoteMeta("< "+connectDigest([]byte("short"))))
	ct.typeLine(t, "/quit")
	ct.waitFor(t, `\* closed: code 1000`)
	if code := ct.wait(t); code != exitOK {
		t.Fatalf("exit status %d", code)
	}
}
