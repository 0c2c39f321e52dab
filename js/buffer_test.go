package js

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/unisocket/unisocket/uni"
)

// muteServer answers WebSocket handshakes on loopback and then never reads,
// so whatever a client sends fills TCP and then the client's queue. It
// returns the ws:// URL.
func muteServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			req, err := http.ReadRequest(bufio.NewReader(c))
			if err != nil {
				continue
			}
			h := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
			_, _ = c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
				base64.StdEncoding.EncodeToString(h[:]) + "\r\n\r\n"))
		}
	})
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return "ws://" + l.Addr().String() + "/"
}

// bufferedAmount grows while a server does not read, never past
// MaxBufferedAmount; sends beyond it fail with the App's errMsg.
func TestJSBufferedAmountIsBounded(t *testing.T) {
	url := muteServer(t)
	const max = 64 << 10
	var stdout, stderr bytes.Buffer
	rt := New(Options{Config: uni.Config{MaxBufferedAmount: max, CloseTimeout: 50 * time.Millisecond}, Stdout: &stdout, Stderr: &stderr})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	err := rt.Run(ctx, "main.js", `
var t = uni.connectSocket({url: '`+url+`', complete: function () {}});
t.onOpen(function () {
  var payload = 'z'.repeat(1024), refused = 0, most = 0, results = 0, n = 4000;
  for (var i = 0; i < n; i++) {
    t.send({data: payload, fail: function (r) {
      if (r.errMsg.indexOf('sendSocketMessage:fail the send buffer is full: ') === 0) refused++;
    }, complete: function () {
      if (++results === n) console.log('all results; refused some: ' + (refused > 0));
    }});
    most = Math.max(most, t.bufferedAmount);
  }
  console.log('bounded: ' + (most > 0 && most <= `+"65536"+`));
  t.close();
});
t.onClose(function (r) { console.log('close ' + r.code); });
`)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, stderr.String())
	}
	// The sends still queued fail as the connection is cut, before or
	// after the close event: the lines are compared sorted.
	want := sortedLines("bounded: true\nall results; refused some: true\nclose 1006\n")
	if got := sortedLines(stdout.String()); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s\nstderr:\n%s", got, want, stderr.String())
	}
}
