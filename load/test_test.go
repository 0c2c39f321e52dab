package load_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unisocket/unisocket/load"
	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

func startServer(t *testing.T) *server.Server {
	t.Helper()
	srv, err := server.Start(server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// echoOnce is a scenario: dial, send one message, read its echo, close.
func echoOnce(url string) load.Scenario {
	return func(ctx context.Context, vu *load.VU) error {
		s, err := vu.Dial(ctx, uni.ConnectSocketOptions{URL: url})
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("hello from VU %d iteration %d", vu.ID, vu.Iteration)
		began := time.Now()
		if err := s.Write(ctx, msg); err != nil {
			return err
		}
		m, err := s.Receive(ctx)
		if err != nil {
			return err
		}
		vu.Trend("rtt", time.Since(began))
		vu.Check("echoed", m.Data == msg)
		return s.Shutdown(ctx, 1000, "")
	}
}

func run(t *testing.T, o load.Options, sc load.Scenario) *load.Results {
	t.Helper()
	test, err := load.New(o, sc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), safetyNet)
	defer cancel()
	res := test.Run(ctx)
	if ctx.Err() != nil {
		t.Fatal("the test did not end within the safety net")
	}
	return res
}

func count(s *load.Summary, name string) float64 {
	if m := s.Metrics[name]; m != nil {
		return m.Count
	}
	return 0
}

func TestIterationsAgainstTheEmbeddedServer(t *testing.T) {
	srv := startServer(t)
	res := run(t, load.Options{VUs: 3, Iterations: 12}, echoOnce(srv.URL()+"/echo"))
	s := res.Summary
	for name, want := range map[string]float64{
		"iterations": 12, "ws_sessions": 12, "ws_msgs_sent": 12, "ws_msgs_received": 12,
		"ws_connecting": 12, "ws_session_duration": 12, "rtt": 12,
		"uni_close_codes{code:1000}": 12, "uni_close_codes": 12,
		"uni_errors": 0, "iteration_errors": 0, "iterations_interrupted": 0,
	} {
		if got := count(s, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if c := s.Metrics["checks"]; c == nil || c.Passes != 12 || c.Fails != 0 {
		t.Errorf("checks = %+v, want 12 passes", c)
	}
	if count(s, "data_sent") <= 0 || count(s, "data_received") <= 0 {
		t.Errorf("data_sent %v, data_received %v: want bytes counted", count(s, "data_sent"), count(s, "data_received"))
	}
	if m := s.Metrics["vus_max"]; m == nil || *m.Value != 3 {
		t.Errorf("vus_max = %+v, want 3", m)
	}
}

// The segments of a test, run one after the other, measure in all what
// the whole test measures in one process.
func TestSegmentsTotalsEqualOneProcess(t *testing.T) {
	srv := startServer(t)
	o := load.Options{VUs: 4, Iterations: 10}
	sc := echoOnce(srv.URL() + "/echo")
	whole := run(t, o, sc).Summary
	sums := map[string]float64{}
	const n = 3
	for i := 1; i <= n; i++ {
		o.Segment = load.Segment{I: i, N: n}
		part := run(t, o, sc).Summary
		for name, m := range part.Metrics {
			if m.Type == "counter" || m.Type == "trend" {
				sums[name] += m.Count
			}
		}
	}
	for _, name := range []string{"iterations", "ws_sessions", "ws_msgs_sent", "ws_msgs_received",
		"ws_connecting", "uni_close_codes{code:1000}", "data_sent", "data_received", "rtt"} {
		if got, want := sums[name], count(whole, name); got != want || want == 0 {
			t.Errorf("%s: segments sum to %v, one process %v", name, got, want)
		}
	}
}

func TestErrorsAndCloseCodesByValue(t *testing.T) {
	srv := startServer(t)
	urls := []string{srv.URL() + "/?status=403", srv.URL() + "/?close=4001&reason=bye"}
	var n atomic.Int64
	res := run(t, load.Options{VUs: 2, Iterations: 4}, func(ctx context.Context, vu *load.VU) error {
		s, err := vu.Dial(ctx, uni.ConnectSocketOptions{URL: urls[n.Add(1)%2]})
		if err != nil {
			return err
		}
		_, err = s.Receive(ctx) // the server closes at once
		var ce *uni.CloseError
		if !errors.As(err, &ce) {
			return fmt.Errorf("got %v, want the close", err)
		}
		return nil
	})
	s := res.Summary
	if got := count(s, "uni_close_codes{code:4001}"); got != 2 {
		t.Errorf("close 4001 counted %v times, want 2", got)
	}
	if got := count(s, "uni_close_codes{code:1006}"); got != 2 {
		t.Errorf("close 1006 counted %v times, want 2 (the refused handshakes)", got)
	}
	if got := count(s, "uni_errors"); got != 2 {
		t.Errorf("uni_errors = %v, want 2; metrics: %v", got, keys(s))
	}
	if got := count(s, "iteration_errors"); got != 2 {
		t.Errorf("iteration_errors = %v, want 2", got)
	}
}

func TestQuotaRejectionsAreCounted(t *testing.T) {
	srv := startServer(t)
	res := run(t, load.Options{VUs: 1, Iterations: 1, Config: uni.Config{MaxSockets: 2}},
		func(ctx context.Context, vu *load.VU) error {
			var socks []*load.Socket
			for range 3 {
				socks = append(socks, vu.Connect(uni.ConnectSocketOptions{URL: srv.URL() + "/"}))
			}
			for _, s := range socks {
				select {
				case <-s.Done():
				default:
					if err := s.Shutdown(ctx, 1000, ""); err != nil {
						return err
					}
				}
			}
			return nil
		})
	s := res.Summary
	if got := count(s, "uni_quota_rejections"); got != 1 {
		t.Errorf("uni_quota_rejections = %v, want 1; metrics: %v", got, keys(s))
	}
	if got := count(s, "ws_sessions"); got != 2 {
		t.Errorf("ws_sessions = %v, want 2", got)
	}
}

func keys(s *load.Summary) []string {
	var k []string
	for n, m := range s.Metrics {
		k = append(k, fmt.Sprintf("%s=%v", n, m.Count))
	}
	return k
}

func TestConstantVUsForADuration(t *testing.T) {
	srv := startServer(t)
	res := run(t, load.Options{VUs: 2, Duration: 500 * time.Millisecond}, echoOnce(srv.URL()+"/"))
	s := res.Summary
	it := count(s, "iterations")
	if it < 2 {
		t.Fatalf("iterations = %v, want at least one per VU", it)
	}
	for _, name := range []string{"ws_sessions", "ws_msgs_sent", "ws_msgs_received", "uni_close_codes{code:1000}"} {
		if got := count(s, name); got != it {
			t.Errorf("%s = %v, want %v (one per iteration)", name, got, it)
		}
	}
	if res.Stopped {
		t.Error("Stopped is set for a test that ran its schedule")
	}
}

func TestRampingStages(t *testing.T) {
	srv := startServer(t)
	res := run(t, load.Options{Stages: []load.Stage{
		{Duration: 300 * time.Millisecond, Target: 3}, {Duration: 300 * time.Millisecond, Target: 3},
		{Duration: 300 * time.Millisecond, Target: 0},
	}}, echoOnce(srv.URL()+"/"))
	s := res.Summary
	if m := s.Metrics["vus_max"]; m == nil || *m.Value != 3 {
		t.Errorf("vus_max = %+v, want 3", m)
	}
	if m := s.Metrics["vus"]; m == nil || *m.Max != 3 || *m.Value != 0 {
		t.Errorf("vus = %+v, want a peak of 3 and 0 at the end", m)
	}
	if it := count(s, "iterations"); it < 1 || count(s, "ws_msgs_received") != it {
		t.Errorf("iterations %v, messages received %v", it, count(s, "ws_msgs_received"))
	}
}

// An iteration that does not end by itself gets the grace period, then
// its context ends; it counts as interrupted and its socket is closed.
func TestGracefulStopInterrupts(t *testing.T) {
	srv := startServer(t)
	res := run(t, load.Options{VUs: 2, Duration: 100 * time.Millisecond, GracefulStop: 100 * time.Millisecond},
		func(ctx context.Context, vu *load.VU) error {
			s, err := vu.Dial(ctx, uni.ConnectSocketOptions{URL: srv.URL() + "/"})
			if err != nil {
				return err
			}
			_, err = s.Receive(ctx) // the echo server sends nothing unasked
			return err
		})
	s := res.Summary
	if got := count(s, "iterations_interrupted"); got != 2 {
		t.Errorf("iterations_interrupted = %v, want 2", got)
	}
	if got := count(s, "iterations"); got != 0 {
		t.Errorf("iterations = %v, want 0", got)
	}
	if got := count(s, "uni_close_codes{code:1000}"); got != 2 {
		t.Errorf("close 1000 counted %v times, want 2 (the VUs' sockets closed at their end)", got)
	}
}

func TestStopEndsATestWithoutEnd(t *testing.T) {
	srv := startServer(t)
	started := make(chan struct{}, 100)
	test, err := load.New(load.Options{VUs: 1, Iterations: 1_000_000, GracefulStop: 5 * time.Second}, func(ctx context.Context, vu *load.VU) error {
		started <- struct{}{}
		return echoOnce(srv.URL()+"/")(ctx, vu)
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan *load.Results)
	go func() { done <- test.Run(context.Background()) }()
	select {
	case <-started:
	case <-time.After(safetyNet):
		t.Fatal("no iteration started")
	}
	test.Stop()
	select {
	case res := <-done:
		if !res.Stopped {
			t.Error("Stopped is not set")
		}
		if count(res.Summary, "iterations") < 1 || count(res.Summary, "iterations_interrupted") != 0 {
			t.Errorf("iterations %v, interrupted %v: the running one should end in its grace period",
				count(res.Summary, "iterations"), count(res.Summary, "iterations_interrupted"))
		}
	case <-time.After(safetyNet):
		test.Abort()
		t.Fatal("Stop did not end the test")
	}
}

// A metric keeps at most MaxTagValues submetrics; the rest are counted
// together, so a server cannot grow the summary without bound.
func TestTagValuesAreBounded(t *testing.T) {
	res := run(t, load.Options{VUs: 1, Iterations: 1}, func(ctx context.Context, vu *load.VU) error {
		for i := range load.MaxTagValues + 50 {
			vu.Check(fmt.Sprintf("check %d", i), true)
		}
		return nil
	})
	subs := 0
	for name := range res.Summary.Metrics {
		if strings.HasPrefix(name, "checks{") {
			subs++
		}
	}
	if subs != load.MaxTagValues+1 {
		t.Errorf("%d submetrics of checks, want %d and one for the rest", subs, load.MaxTagValues+1)
	}
	if m := res.Summary.Metrics["checks{check:"+load.OtherTagValue+"}"]; m == nil || m.Passes != 50 {
		t.Errorf("the rest: %+v, want 50 passes", m)
	}
	if m := res.Summary.Metrics["checks"]; m.Passes != load.MaxTagValues+50 {
		t.Errorf("checks: %d passes, want all %d", m.Passes, load.MaxTagValues+50)
	}
}
