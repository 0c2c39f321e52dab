//go:build linux || darwin

package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/unisocket/unisocket/internal/testutil"
	"github.com/unisocket/unisocket/server"
)

// connectServerLog starts the embedded server with its log kept.
func connectServerLog(t *testing.T) (*server.Server, *testutil.Buffer) {
	t.Helper()
	log := new(testutil.Buffer)
	srv := connectServer(t, server.Options{Logf: func(format string, args ...any) {
		fmt.Fprintf(log, format+"\n", args...)
	}})
	return srv, log
}

// TestConnectREPLPings: the server's ping is shown with its payload;
// /ping and /pong carry theirs to the server, and a payload over 125
// bytes is refused with a message.
func TestConnectREPLPings(t *testing.T) {
	connectLeakCheck(t)
	srv, log := connectServerLog(t)
	ct := startConnectTerm(t, srv.URL()+"/?ping=hello%20there")
	ct.waitFor(t, `\* type a message`)
	ct.waitFor(t, `< ping hello there\r\n`)
	log.WaitFor(t, "the server log", regexp.MustCompile(`pong "hello there" received`))

	ct.typeLine(t, "/ping are you there")
	log.WaitFor(t, "the server log", regexp.MustCompile(`ping "are you there" received`))
	ct.waitFor(t, `\* pong after [0-9.]+[µm]?s`)

	ct.typeLine(t, "/pong beat")
	ct.waitFor(t, `> pong beat\r\n`)
	log.WaitFor(t, "the server log", regexp.MustCompile(`pong "beat" received`))

	ct.typeLine(t, "/ping "+strings.Repeat("x", 126))
	ct.waitFor(t, `! ping failed: a ping's payload is at most 125 bytes; this one is 126`)
	ct.typeLine(t, "/pong "+strings.Repeat("x", 126))
	ct.waitFor(t, `! pong not sent: a pong's payload is at most 125 bytes; this one is 126`)

	ct.typeLine(t, "/quit")
	ct.waitFor(t, `\* closed: code 1000`)
	if code := ct.wait(t); code != exitOK {
		t.Fatalf("exit status %d; the terminal shows:\n%s", code, ct.screen)
	}
}

// TestConnectShowPingPong: outside the REPL the server's pings go to
// stderr with -P (or -v) only, so that a script reading stderr sees no
// change without it.
func TestConnectShowPingPong(t *testing.T) {
	connectLeakCheck(t)
	srv, _ := connectServerLog(t)
	url := srv.URL() + "/?ping=abc&send=1"
	code, stdout, stderr := runConnectCmd(t, connectEnv(t), "", "-P", "-x", "hi", "-w", "0.5", url)
	if code != exitOK || stdout != "message 1\nhi\n" || !strings.Contains(stderr, "< ping abc\n") {
		t.Fatalf("-P: exit %d, stdout %q, stderr %q; want the ping on stderr", code, stdout, stderr)
	}
	code, stdout, stderr = runConnectCmd(t, connectEnv(t), "", "-x", "hi", "-w", "0.5", url)
	if code != exitOK || stdout != "message 1\nhi\n" || strings.Contains(stderr, "ping") {
		t.Fatalf("without -P: exit %d, stdout %q, stderr %q; want no ping shown", code, stdout, stderr)
	}
}
