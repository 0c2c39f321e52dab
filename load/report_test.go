package load_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/unisocket/unisocket/load"
	"github.com/unisocket/unisocket/uni"
)

// reportRun runs a short test with messages, a trend and errors (every
// third iteration is refused with 403), followed by a Timeline.
func reportRun(t *testing.T) (*load.Results, *load.Timeline) {
	t.Helper()
	srv := startServer(t)
	echo := echoOnce(srv.URL() + "/echo")
	sc := func(ctx context.Context, vu *load.VU) error {
		if vu.Iteration%3 == 2 {
			_, err := vu.Dial(ctx, uni.ConnectSocketOptions{URL: srv.URL() + "/?status=403"})
			if err == nil {
				return errors.New("a 403 handshake opened")
			}
			return nil
		}
		return echo(ctx, vu)
	}
	tl := load.NewTimeline()
	test, err := load.New(load.Options{VUs: 3, Duration: 2 * time.Second, Samples: tl}, sc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), safetyNet)
	defer cancel()
	stop := tl.Follow(test, 200*time.Millisecond)
	res := test.Run(ctx)
	stop()
	if ctx.Err() != nil {
		t.Fatal("the test did not end within the safety net")
	}
	return res, tl
}

// The timeline's last point holds the run's totals, and its trend
// counts add up to the summary's.
func TestTimelineTotals(t *testing.T) {
	res, tl := reportRun(t)
	s := res.Summary
	pts := tl.Points()
	if len(pts) < 2 {
		t.Fatalf("%d points, want several", len(pts))
	}
	last := pts[len(pts)-1]
	for name, got := range map[string]int64{
		"ws_msgs_sent": last.MsgsSent, "ws_msgs_received": last.MsgsReceived,
		"uni_errors": last.Errors, "iterations": last.Iterations,
	} {
		if float64(got) != count(s, name) || got == 0 {
			t.Errorf("last point %s = %d, summary %v (want equal, not 0)", name, got, count(s, name))
		}
	}
	if last.VUs != 0 || last.OpenSockets != 0 {
		t.Errorf("after the run: %d VUs, %d open sockets; want 0", last.VUs, last.OpenSockets)
	}
	var maxVUs int64
	sums := map[string]int64{}
	for _, p := range pts {
		maxVUs = max(maxVUs, p.VUs)
		for name, q := range p.Latency {
			sums[name] += q.Count
			if q.P50 > q.P95 || q.P95 > q.P99 || q.P99 > q.Max {
				t.Errorf("%s at %.1fs: percentiles out of order: %+v", name, p.T, q)
			}
		}
	}
	if maxVUs != 3 {
		t.Errorf("most VUs in a point %d, want 3", maxVUs)
	}
	for _, name := range []string{"ws_connecting", "rtt"} {
		if float64(sums[name]) != count(s, name) || sums[name] == 0 {
			t.Errorf("%s: %d samples over the timeline, %v in the summary", name, sums[name], count(s, name))
		}
	}
}

// The page carries the timeline and the summary, and nothing that needs
// the network.
func TestReportHTML(t *testing.T) {
	res, tl := reportRun(t)
	var b bytes.Buffer
	if err := (load.Report{Title: "a <b> test", Created: time.Now(), Summary: res.Summary, Timeline: tl}).WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "a <b> test") || !strings.Contains(page, "a &lt;b&gt; test") {
		t.Error("the title is not escaped")
	}
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`).FindString(page); m != "" {
		t.Errorf("the page loads something from the network: %s", m)
	}
	data := regexp.MustCompile(`const DATA = (.*);\n`).FindStringSubmatch(page)
	if data == nil {
		t.Fatal("no data in the page")
	}
	var d struct {
		Points []load.TimePoint   `json:"points"`
		Totals map[string]float64 `json:"totals"`
	}
	if err := json.Unmarshal([]byte(data[1]), &d); err != nil {
		t.Fatalf("the page's data: %v", err)
	}
	if len(d.Points) != len(tl.Points()) || d.Totals["ws_msgs_sent"] != count(res.Summary, "ws_msgs_sent") {
		t.Errorf("page: %d points, ws_msgs_sent %v; run: %d points, %v", len(d.Points), d.Totals["ws_msgs_sent"], len(tl.Points()), count(res.Summary, "ws_msgs_sent"))
	}
	if !strings.Contains(page, "ws_msgs_received") || !strings.Contains(page, "p(95)") {
		t.Error("the summary table is missing")
	}
}
