package uni_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/unisocket/unisocket/netem"
	"github.com/unisocket/unisocket/uni"
)

// Config.Network shapes the App's connections: a socket opens and echoes
// through it, going offline cuts the open socket, and a connect while
// offline fails naming the cause.
func TestConfigNetworkShapesTheApp(t *testing.T) {
	p := newPeer(t)
	network, err := netem.New(netem.Conditions{Latency: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	app := newApp(t, uni.Config{Network: network})
	ctx, cancel := context.WithTimeout(context.Background(), safetyNet)
	defer cancel()

	task, err := app.Dial(ctx, uni.ConnectSocketOptions{URL: p.url("")})
	if err != nil {
		t.Fatal(err)
	}
	if open := network.Stats().Open; open != 1 {
		t.Fatalf("the network shapes %d connections, want the socket's 1", open)
	}
	if err := task.Write(ctx, "through the shaped link"); err != nil {
		t.Fatal(err)
	}
	if msg, err := task.Receive(ctx); err != nil || msg.Data != "through the shaped link" {
		t.Fatalf("Receive = %v, %v; want the echo", msg.Data, err)
	}

	if err := network.Set(netem.Conditions{Offline: true}); err != nil {
		t.Fatal(err)
	}
	var ce *uni.CloseError
	if _, err := task.Receive(ctx); !errors.As(err, &ce) || ce.Code != 1006 {
		t.Fatalf("Receive after going offline = %v, want the socket closed with 1006", err)
	}
	waitIdle(t, app, task)

	_, err = app.Dial(ctx, uni.ConnectSocketOptions{URL: p.url("")})
	var ue *uni.Error
	if !errors.As(err, &ue) || !strings.Contains(ue.ErrMsg, "offline") {
		t.Fatalf("Dial while offline = %v, want an errMsg naming the offline network", err)
	}
}
