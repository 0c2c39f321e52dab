//go:build linux || darwin

package main

// The REPL, driven through a pseudo-terminal as a person would: type,
// read the screen.

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/unisocket/unisocket/server"
)

// connectTerm is `unisocket connect` running on a pseudo-terminal.
type connectTerm struct {
	ptmx   *os.File
	screen *connectBuffer // everything written to the terminal
	done   chan struct{}
	code   int
	read   chan struct{} // closed when the terminal's output is drained
	cache  string        // XDG_CACHE_HOME: the history's home
}

func startConnectTerm(t *testing.T, args ...string) *connectTerm {
	t.Helper()
	ct := &connectTerm{screen: newConnectBuffer(), done: make(chan struct{}), read: make(chan struct{}), cache: t.TempDir()}
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
	ct.screen.waitFor(t, "the terminal", regexp.MustCompile(re))
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
		ct.waitFor(t, `\* closed: code 1000`)
		if code := ct.wait(t); code != exitOK {
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
