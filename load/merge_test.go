package load_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/unisocket/unisocket/load"
)

// The merged summary of a test's segments has the whole test's counts,
// and trends whose percentiles are those of all the segments' samples.
func TestMergeSegments(t *testing.T) {
	srv := startServer(t)
	o := load.Options{VUs: 4, Iterations: 12}
	sc := echoOnce(srv.URL() + "/")
	whole := run(t, o, sc).Summary
	var (
		parts []*load.Summary
		all   = hdr.New(1, int64(time.Hour/time.Microsecond), 3)
	)
	for i := 1; i <= 3; i++ {
		var buf bytes.Buffer
		out := load.NewNDJSON(&buf)
		o.Segment, o.Samples = load.Segment{I: i, N: 3}, out
		s := run(t, o, sc).Summary
		if err := out.Flush(); err != nil {
			t.Fatal(err)
		}
		// Through JSON, as `report merge` reads the files.
		var b bytes.Buffer
		if err := s.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		var back load.Summary
		if err := json.Unmarshal(b.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, &back)
		sc := bufio.NewScanner(&buf)
		for sc.Scan() {
			var p load.Point
			if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if p.Metric == "rtt" {
				_ = all.RecordValue(int64(math.Round(p.Data.Value * 1000)))
			}
		}
	}
	m, err := load.Merge(parts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"iterations", "ws_sessions", "ws_msgs_sent", "ws_msgs_received", "data_sent", "rtt", "uni_close_codes{code:1000}"} {
		if got, want := m.Metrics[name].Count, whole.Metrics[name].Count; got != want {
			t.Errorf("%s: merged %v, whole %v", name, got, want)
		}
	}
	if c := m.Metrics["checks"]; c.Passes != 12 || *c.Rate != 1 {
		t.Errorf("checks: %+v", c)
	}
	if v := *m.Metrics["vus_max"].Value; v != 4 {
		t.Errorf("vus_max merged to %v, want 4", v)
	}
	rtt := m.Metrics["rtt"]
	if all.TotalCount() != 12 {
		t.Fatalf("%d rtt samples in the NDJSON files, want 12", all.TotalCount())
	}
	for _, p := range load.SummaryPercentiles {
		want := min(max(float64(all.ValueAtQuantile(p))/1000, *rtt.Min), *rtt.Max)
		if got := rtt.Percentiles[load.PercentileName(p)]; got != want {
			t.Errorf("rtt %s: merged %v, from all samples %v", load.PercentileName(p), got, want)
		}
	}
	if m.Segment != "1/3+2/3+3/3" {
		t.Errorf("segment %q", m.Segment)
	}
	if _, err := load.Merge(); err == nil {
		t.Error("merging nothing succeeded")
	}
	bad := &load.Summary{Metrics: map[string]*load.MetricSummary{"rtt": {Type: "counter", Count: 1}}}
	if _, err := load.Merge(parts[0], bad); err == nil || err.Error() != "summary 2, metric rtt: a counter here, a trend before" {
		t.Errorf("merging a counter into a trend: %v", err)
	}
}
