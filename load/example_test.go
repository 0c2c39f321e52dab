package load_test

import (
	"context"
	"fmt"
	"time"

	"github.com/unisocket/unisocket/load"
	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

// A Go scenario: each iteration dials, measures one echo's round trip and
// closes; 3 VUs share 9 iterations.
func Example() {
	srv, err := server.Start(server.Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	rtt, _ := load.ParseThreshold("rtt:p(95)<10s")
	test, err := load.New(load.Options{VUs: 3, Iterations: 9, Thresholds: []load.Threshold{rtt}},
		func(ctx context.Context, vu *load.VU) error {
			s, err := vu.Dial(ctx, uni.ConnectSocketOptions{URL: srv.URL() + "/"})
			if err != nil {
				return err
			}
			began := time.Now()
			if err := s.Write(ctx, "ping"); err != nil {
				return err
			}
			if _, err := s.Receive(ctx); err != nil {
				return err
			}
			vu.Trend("rtt", time.Since(began))
			return s.Shutdown(ctx, 1000, "")
		})
	if err != nil {
		panic(err)
	}
	res := test.Run(context.Background())
	m := res.Summary.Metrics
	fmt.Println("iterations:", m["iterations"].Count)
	fmt.Println("messages received:", m["ws_msgs_received"].Count)
	fmt.Println("round trips timed:", m["rtt"].Count)
	fmt.Println("thresholds passed:", res.Passed())
	// Output:
	// iterations: 9
	// messages received: 9
	// round trips timed: 9
	// thresholds passed: true
}
