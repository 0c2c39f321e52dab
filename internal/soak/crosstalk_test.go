package soak_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/unisocket/unisocket/uni"
)

// TestNoCrossTalkBetweenConnections makes rejected handshakes, connections
// the server drops, and clean ones, all at once on one App. What one
// connection's end does must stay with it: a clean connection must never
// find its TCP connection closed under it ("use of closed network
// connection"), which happens when a connection's end cuts a TCP
// connection that belongs to another.
func TestNoCrossTalkBetweenConnections(t *testing.T) {
	srv := startServer(t)
	app := uni.NewApp(uni.Config{ErrorLog: quietLog(), DialContext: dialNoTimeWait})
	rounds := 150
	if testing.Short() {
		rounds = 50
	}
	var (
		mu       sync.Mutex
		failures []string
		wg       sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 10 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	for w := range 24 {
		wg.Go(func() {
			ctx, cancel := withSafetyNet()
			defer cancel()
			for i := range rounds {
				switch (w + i) % 3 {
				case 0:
					if err := wantDialFailure(ctx, app, uni.ConnectSocketOptions{URL: srv.URL() + "/?status=503"}); err != nil {
						fail("rejected handshake: %v", err)
					}
				case 1:
					task, err := echoTwice(ctx, app, srv.URL()+"/?drop=1&after=2")
					if err == nil {
						err = wantEnd(ctx, task, 1006, "")
					}
					if err != nil {
						fail("dropped connection: %v", err)
					}
				case 2:
					task, err := echoTwice(ctx, app, srv.URL()+"/")
					if err == nil {
						err = task.Shutdown(ctx, 1000, "")
					}
					if err != nil {
						fail("clean connection: %v", err)
					}
				}
				if ctx.Err() != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	waitQuiet(t, srv, app)
	if len(failures) > 0 {
		closedUnder := 0
		for _, f := range failures {
			if strings.Contains(f, "use of closed network connection") {
				closedUnder++
			}
		}
		t.Errorf("%d of the first %d failures found their connection closed under them:\n  %s",
			closedUnder, len(failures), strings.Join(failures, "\n  "))
	}
}
