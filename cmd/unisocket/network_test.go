package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/unisocket/unisocket/server"
)

// TestNetworkFlagErrors: a bad network flag exits 2 with one line saying
// what to write, in run and connect alike (uniFlags).
func TestNetworkFlagErrors(t *testing.T) {
	script := writeScript(t, "main.js", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--network", "5g"}, `--network "5g": unknown preset; want one of offline, slow-3g, fast-3g, 4g, wifi`},
		{[]string{"--down", "fast"}, `invalid argument "fast" for "--down" flag: rate "fast": want a number above 0 with its unit, e.g. 400kbit, 1.5Mbit or 50KB`},
		{[]string{"--up", "400"}, `invalid argument "400" for "--up" flag: rate "400": want a number above 0 with its unit`},
		{[]string{"--latency", "soon"}, `invalid argument "soon" for "--latency" flag: want a duration of 0 or more such as 300ms or 2s`},
		{[]string{"--jitter", "-5ms"}, `invalid argument "-5ms" for "--jitter" flag: want a duration of 0 or more`},
		{[]string{"--loss", "200%"}, `invalid argument "200%" for "--loss" flag: loss "200%": must be from 0 to 100%`},
	} {
		for _, cmd := range []string{"run", "connect"} {
			args := append([]string{cmd}, tc.args...)
			if cmd == "run" {
				args = append(args, script)
			} else {
				args = append(args, "ws://127.0.0.1:1/")
			}
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			line := stderr.String()
			if code != exitUsage || stdout.Len() != 0 || strings.Count(line, "\n") != 1 ||
				!strings.HasPrefix(line, "unisocket "+cmd+": "+tc.want) {
				t.Errorf("%q: exit %d, stderr %q; want exit 2 and one line starting %q", args, code, line, tc.want)
			}
		}
	}
}

// runProbeInspect connects to ?inspect=1, prints what the server saw of
// the handshake, and closes; its errors are printed.
const runProbeInspect = `
var t = uni.connectSocket({url: URL, fail: function (e) { console.log('fail: ' + e.errMsg); }});
t.onMessage(function (m) { console.log('method ' + JSON.parse(m.data).method); t.close(); });
t.onError(function (e) { console.log('error: ' + e.errMsg); });
t.onClose(function (e) { console.log('close ' + e.code); });
`

// TestRunOverShapedNetwork: a run with a preset still connects, gets the
// server's message and closes cleanly; offline fails the connection with
// an errMsg that says so.
func TestRunOverShapedNetwork(t *testing.T) {
	checkRunLeaks(t)
	srv, _ := startServer(t, false)
	script := writeScript(t, "main.js", "var URL = '"+srv.URL()+"/?inspect=1';\n"+runProbeInspect)
	for _, args := range [][]string{
		{"--network", "4g"},
		{"--network", "wifi", "--latency", "100ms", "--jitter", "40ms", "--down", "200kbit", "--up", "100kbit", "--loss", "1%"},
	} {
		code, stdout, stderr := runCLI(append(args, script)...)
		if code != exitOK || stdout != "method GET\nclose 1000\n" || stderr != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	// Over wss://, TLS runs on the shaped connection.
	tlsSrv, pem := startServer(t, true)
	tlsScript := writeScript(t, "main.js", "var URL = '"+tlsSrv.URL()+"/?inspect=1';\n"+runProbeInspect)
	if code, stdout, stderr := runCLI("--network", "fast-3g", "--cafile", pem, tlsScript); code != exitOK || stdout != "method GET\nclose 1000\n" || stderr != "" {
		t.Errorf("wss:// over fast-3g: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr := runCLI("--network", "offline", script)
	if code != exitOK || !strings.Contains(stdout, "error: ") || !strings.Contains(stdout, "the network is offline") ||
		!strings.HasSuffix(stdout, "close 1006\n") || stderr != "" {
		t.Errorf("offline: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestConnectOverShapedNetwork: connect takes the same flags.
func TestConnectOverShapedNetwork(t *testing.T) {
	connectLeakCheck(t)
	srv := connectServer(t, server.Options{})
	// The server closes (close=1000) after its message; stdin stays open,
	// so the end comes from the server over the shaped link.
	p := startConnect(t, connectEnv(t), "--network", "fast-3g", srv.URL()+"/ws?inspect=1&close=1000")
	code := p.wait(t)
	stdout, stderr := p.stdout.String(), p.stderr.String()
	if code != exitOK || !strings.Contains(stdout, `"method":"GET"`) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
