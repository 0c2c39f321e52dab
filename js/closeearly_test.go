package js

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
)

// closeInTheSameTurn connects and closes in one turn, after spinning long
// enough for the handshake to complete underneath: for the script the
// socket is still CONNECTING, and the profile's close-before-open rule
// must follow what the script saw, not what the network did.
const closeInTheSameTurn = `
var t = uni.connectSocket({url: 'wss://www.example.com/socket', complete: function () {}});
t.onOpen(function () { console.log('open'); t.close({reason: 'after open'}); });
t.onError(function (r) { console.log('error ' + r.errMsg); });
t.onClose(function (r) { console.log('close ' + r.code); });
var until = Date.now() + 300;
while (Date.now() < until) {} // let the handshake finish in Go
console.log('readyState ' + t.readyState);
t.close({complete: function (r) { console.log(r.errMsg); }});
`

func TestCloseBeforeOpenFollowsWhatTheScriptSaw(t *testing.T) {
	e := newTLSEnv(t)
	for _, tc := range []struct {
		profile string
		want    string
	}{
		{"standard", "readyState 0\ncloseSocket:ok\nerror WebSocket is closed before the connection is established.\nclose 1006\n"},
		// The fail result is queued behind the open event when the handshake
		// finished during the spin, ahead of it otherwise: both orders are
		// right, so the lines are compared sorted.
		{"mp-weixin", "readyState 0\ncloseSocket:fail WebSocket is not connected\nopen\nclose 1000\n"},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			cfg := e.config(tc.profile)
			cfg.Domains = []string{"www.example.com"}
			var stdout, stderr bytes.Buffer
			rt := New(Options{Config: cfg, Stdout: &stdout, Stderr: &stderr})
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			if err := rt.Run(ctx, "main.js", closeInTheSameTurn); err != nil {
				t.Fatalf("Run: %v\nstderr:\n%s", err, stderr.String())
			}
			got := stdout.String()
			if tc.profile == "mp-weixin" {
				got, tc.want = sortedLines(got), sortedLines(tc.want)
			}
			if got != tc.want {
				t.Fatalf("got:\n%s\nwant:\n%s\nstderr:\n%s", got, tc.want, strings.TrimSpace(stderr.String()))
			}
		})
	}
}

func sortedLines(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
