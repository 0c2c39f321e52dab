//go:build interop

package interop

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unisocket/unisocket/js"
	"github.com/unisocket/unisocket/uni"
)

// jsCase is one row's JavaScript: a script under testdata/js and the
// console.log lines it must print, against every peer.
type jsCase struct {
	script string
	want   []string
	// check, when set, judges the run instead of the exact comparison
	// with want: it fails t, or records a note or verdict.
	check func(t *testing.T, feature, peer string, run jsRun, want []string)
}

// jsRun is what a script printed, and the bytes its sockets moved.
type jsRun struct {
	stdout  string
	in, out int64 // received and sent on the TCP connections, handshakes included
}

var jsCases = map[string]jsCase{
	"text echo": {script: "text_echo.js", want: []string{
		"open",
		`echo string "hello" true`,
		`echo string "" true`,
		`echo string "héllo wörld ✓ 🎉" true`,
		"echo string 70000 chars true",
		"close 1000",
	}},
	"binary echo": {script: "binary_echo.js", want: []string{
		"open",
		"echo all 256 byte values: [object ArrayBuffer] 256 true",
		"echo [0]: [object ArrayBuffer] 1 true",
		"echo [255, 254]: [object ArrayBuffer] 2 true",
		"echo view of bytes 250..255: [object ArrayBuffer] 6 true",
		"close 1000",
	}},
	"1 MiB message": {script: "one_mib.js", want: []string{
		"open",
		"echo [object ArrayBuffer] 1048576 true",
		"close 1000",
	}},
	"subprotocol selected": {script: "subprotocol_selected.js", want: []string{
		"open chat.v1",
		"message subprotocol:chat.v1",
		"close 1000",
	}},
	"subprotocol refused": {script: "subprotocol_refused.js", want: []string{
		"error true true",
		`close 1006 "" true`,
	}},
	"server close 4001": {script: "server_close.js", want: []string{
		"open",
		`close 4001 "bye"`,
	}},
	"client close": {script: "client_close.js", want: []string{
		"closeSocket:ok",
		"close 3001",
		"server received close:3001:ciao",
		"closeSocket:ok",
		"close 1000",
		"server received close:1000:",
	}},
	"server ping": {script: "server_ping.js", want: []string{
		"open",
		"message pong:ping-<payload>:ok",
		"close 1000",
	}, check: checkServerPing},
	"client ping": {script: "client_ping.js", want: []string{
		"open",
		"task.ping undefined uni ping functions 0",
		"close 1000",
	}, check: checkNoPing},
	"permessage-deflate": {script: "permessage_deflate.js", want: []string{
		"open",
		"server says extensions:permessage-deflate",
		"echo 270000 true",
		"close 1000",
	}, check: checkJSDeflate},
	"handshake 403": {script: "handshake_403.js", want: []string{
		"error true",
		`close 1006 ""`,
	}},
}

// runJSCase runs the feature's script against the peer at base.
func runJSCase(t *testing.T, feature, peer, base string) {
	c, ok := jsCases[feature]
	if !ok {
		t.Fatalf("no JS script for %q", feature)
	}
	run := runScript(t, c.script, map[string]string{
		"@BASE@": base,
		"@ID@":   fmt.Sprintf("js-%s-%d", peer, time.Now().UnixNano()),
	})
	if c.check != nil {
		c.check(t, feature, peer, run, c.want)
		return
	}
	expectLog(t, run.stdout, c.want)
}

// runScript runs testdata/js/name with its placeholders replaced, through
// package js, and returns what it printed. The script must end by itself
// (every socket closed), with nothing on stderr.
func runScript(t *testing.T, name string, replace map[string]string) jsRun {
	t.Helper()
	path := filepath.Join("testdata", "js", name)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for k, v := range replace {
		s = strings.ReplaceAll(s, k, v)
	}
	var in, out atomic.Int64
	var stdout, stderr bytes.Buffer
	rt := js.New(js.Options{
		Config: uni.Config{
			ConnectTimeout: safety,
			ErrorLog:       log.New(io.Discard, "", 0),
			DialContext: func(c context.Context, network, addr string) (net.Conn, error) {
				conn, err := (&net.Dialer{}).DialContext(c, network, addr)
				if err != nil {
					return nil, err
				}
				return &countingConn{Conn: conn, in: &in, out: &out}, nil
			},
		},
		Stdout: &stdout,
		Stderr: &stderr,
	})
	c, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	if err := rt.Run(c, path, s); err != nil {
		t.Fatalf("%s: Run: %v\nstdout:\n%s\nstderr:\n%s", name, err, stdout.String(), stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("%s wrote to stderr:\n%s", name, stderr.String())
	}
	return jsRun{stdout: stdout.String(), in: in.Load(), out: out.Load()}
}

func expectLog(t *testing.T, got string, want []string) {
	t.Helper()
	if w := strings.Join(want, "\n") + "\n"; got != w {
		t.Errorf("console.log:\n%s\nwant:\n%s", got, w)
	}
}

// pingPayload is the fresh payload a peer's ping carries.
var pingPayload = regexp.MustCompile(`ping-[0-9a-z]+`)

// checkServerPing compares the log with the peer's payload written
// ping-<payload>; the peer compared the pong's payload itself.
func checkServerPing(t *testing.T, feature, peer string, run jsRun, want []string) {
	expectLog(t, pingPayload.ReplaceAllString(run.stdout, "ping-<payload>"), want)
}

// checkNoPing: the script proved there is no ping to call; the cell says
// so instead of "pass".
func checkNoPing(t *testing.T, feature, peer string, run jsRun, want []string) {
	expectLog(t, run.stdout, want)
	verdicts.Store(feature+"|"+jsPeer(peer), "n/a (uni-app has no ping API)")
}

// checkJSDeflate: with perMessageDeflate asked for, either the server
// negotiated permessage-deflate and the 270 KB echo crossed the wire
// compressed both ways (pass), or the binding did not pass the option on
// to uni.ConnectSocketOptions.PerMessageDeflate, the server negotiated
// nothing and the echo was plain (n/a, saying where the option is lost).
func checkJSDeflate(t *testing.T, feature, peer string, run jsRun, want []string) {
	const size = 270000
	dropped := []string{"open", "server says extensions:", "echo 270000 true", "close 1000"}
	if run.stdout == strings.Join(dropped, "\n")+"\n" {
		if run.in < size || run.out < size {
			t.Errorf("no extension negotiated, yet %d B out and %d B in for a %d B echo", run.out, run.in, size)
		}
		verdicts.Store(feature+"|"+jsPeer(peer),
			"n/a (js drops `perMessageDeflate`: js/uniobject.go connectOptions does not copy it, so nothing is negotiated)")
		return
	}
	expectLog(t, run.stdout, want)
	if run.in > size/10 || run.out > size/10 {
		t.Errorf("a %d B echo took %d B out and %d B in: not compressed", size, run.out, run.in)
	}
	notes.Store(feature+"|"+jsPeer(peer), fmt.Sprintf("%d B each way as %d B out, %d B in (whole connection)", size, run.out, run.in))
}
