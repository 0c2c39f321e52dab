package netem_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/unisocket/unisocket/netem"
	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

// TestUniOverShapedNetwork plugs a Network into an App through
// uni.Config.DialContext: a socket on a lossy, jittery, narrow link gets
// every echo in order; going offline closes it with 1006; a new
// connectSocket then fails and its errMsg says the network is offline.
func TestUniOverShapedNetwork(t *testing.T) {
	srv, err := server.Start(server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	n := newNetwork(t, netem.Conditions{
		Latency: 30 * time.Millisecond, Jitter: 20 * time.Millisecond,
		Down: 200_000, Up: 100_000, Loss: 0.02, Seed: 3,
	})
	app := uni.NewApp(uni.Config{DialContext: n.DialContext})

	events := make(chan string, 100)
	const count = 20
	app.Run(func() {
		task := app.ConnectSocket(uni.ConnectSocketOptions{URL: srv.URL() + "/"})
		task.OnOpen(func(uni.OnOpenResult) {
			for i := range count {
				task.Send(uni.SendSocketMessageOptions{Data: fmt.Sprintf("%d:%s", i, strings.Repeat("x", 3000))})
			}
		})
		task.OnMessage(func(m uni.OnMessageResult) {
			s, _ := m.Data.(string)
			events <- "message " + s[:strings.IndexByte(s, ':')]
		})
		task.OnError(func(r uni.OnErrorResult) { events <- "error" })
		task.OnClose(func(r uni.OnCloseResult) { events <- fmt.Sprint("close ", r.Code) })
	})
	next := func() string {
		select {
		case e := <-events:
			return e
		case <-time.After(safetyNet):
			t.Fatal("no event within the safety net")
			return ""
		}
	}
	for i := range count {
		if got, want := next(), fmt.Sprint("message ", i); got != want {
			t.Fatalf("event %q, want %q", got, want)
		}
	}
	if err := n.Set(netem.Conditions{Offline: true}); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for e := next(); ; e = next() {
		rest = append(rest, e)
		if strings.HasPrefix(e, "close") {
			break
		}
	}
	if rest[len(rest)-1] != "close 1006" {
		t.Errorf("after going offline: %q, want the socket closed with 1006", rest)
	}

	failed := make(chan string, 1)
	app.Run(func() {
		app.ConnectSocket(uni.ConnectSocketOptions{URL: srv.URL() + "/"}).OnError(func(r uni.OnErrorResult) { failed <- r.ErrMsg })
	})
	select {
	case msg := <-failed:
		if !strings.Contains(msg, "the network is offline") {
			t.Errorf("errMsg %q does not say the network is offline", msg)
		}
	case <-time.After(safetyNet):
		t.Fatal("connectSocket while offline reported no error")
	}
}
