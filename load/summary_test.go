package load_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/unisocket/unisocket/load"
	"github.com/unisocket/unisocket/uni"
)

// The summary's percentiles are those of the samples the NDJSON output
// holds: recomputed from the file's values they are the same, and within
// the histogram's precision of the exact ones.
func TestSummaryPercentilesEqualTheNDJSONSamples(t *testing.T) {
	srv := startServer(t)
	var buf bytes.Buffer
	out := load.NewNDJSON(&buf)
	res := run(t, load.Options{VUs: 3, Iterations: 30, Samples: out}, echoOnce(srv.URL()+"/"))
	if err := out.Flush(); err != nil {
		t.Fatal(err)
	}
	values := map[string][]float64{}
	counters := map[string]float64{}
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var p load.Point
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if p.Type != "Point" || p.Data.Time.IsZero() {
			t.Fatalf("line %q: not a k6 Point", sc.Text())
		}
		values[p.Metric] = append(values[p.Metric], p.Data.Value)
		counters[p.Metric] += p.Data.Value
	}
	s := res.Summary
	for _, name := range []string{"ws_connecting", "ws_session_duration", "rtt", "iteration_duration"} {
		m := s.Metrics[name]
		vs := values[name]
		if m == nil || len(vs) != 30 || m.Count != 30 {
			t.Fatalf("%s: %d samples in the file, summary %+v", name, len(vs), m)
		}
		h := hdr.New(1, int64(time.Hour/time.Microsecond), 3)
		var sum int64
		for _, v := range vs {
			us := int64(math.Round(v * 1000))
			sum += us
			if err := h.RecordValue(us); err != nil {
				t.Fatal(err)
			}
		}
		slices.Sort(vs)
		if *m.Min != vs[0] || *m.Max != vs[len(vs)-1] {
			t.Errorf("%s: min/max %v/%v, samples %v/%v", name, *m.Min, *m.Max, vs[0], vs[len(vs)-1])
		}
		if avg := float64(sum) / 30 / 1000; *m.Avg != avg {
			t.Errorf("%s: avg %v, samples %v", name, *m.Avg, avg)
		}
		check := func(label string, got float64, p float64) {
			// The histogram's value, bounded by the exact extremes.
			want := min(max(float64(h.ValueAtQuantile(p))/1000, vs[0]), vs[len(vs)-1])
			if got != want {
				t.Errorf("%s %s: summary %v, from the samples %v", name, label, got, want)
			}
			// The histogram is exact to 3 significant digits: the
			// value is within 0.1 % of a sample at that rank.
			exact := vs[max(0, int(math.Ceil(p/100*float64(len(vs))))-1)]
			if math.Abs(got-exact) > exact*0.001+0.001 {
				t.Errorf("%s %s: summary %v, exact %v", name, label, got, exact)
			}
		}
		check("med", *m.Med, 50)
		for _, p := range load.SummaryPercentiles {
			check(load.PercentileName(p), m.Percentiles[load.PercentileName(p)], p)
		}
		// The exported histogram is the same.
		eh, err := m.Histogram()
		if err != nil || eh.TotalCount() != 30 || !eh.Equals(h) {
			t.Errorf("%s: exported histogram %v, %v", name, eh, err)
		}
	}
	for _, name := range []string{"ws_msgs_sent", "ws_msgs_received", "data_sent", "data_received", "iterations", "ws_sessions"} {
		if got := s.Metrics[name].Count; got != counters[name] || got == 0 {
			t.Errorf("%s: summary %v, the file sums to %v", name, got, counters[name])
		}
	}
}

func TestThresholds(t *testing.T) {
	srv := startServer(t)
	var ths []load.Threshold
	for _, src := range []string{
		"ws_connecting:p(95)<1h",              // passes
		"uni_errors:count==0",                 // passes: nothing failed
		"ws_msgs_received:count==4",           // passes
		"checks:rate>=1",                      // passes
		"ws_connecting:max<1us",               // fails
		"uni_close_codes{code:1000}:count!=4", // fails
		"rtt:avg<1s",                          // fails: no such trend was recorded
	} {
		th, err := load.ParseThreshold(src)
		if err != nil {
			t.Fatal(err)
		}
		ths = append(ths, th)
	}
	res := run(t, load.Options{VUs: 2, Iterations: 4, Thresholds: ths}, func(ctx context.Context, vu *load.VU) error {
		s, err := vu.Dial(ctx, uni.ConnectSocketOptions{URL: srv.URL() + "/"})
		if err != nil {
			return err
		}
		if err := s.Write(ctx, "x"); err != nil {
			return err
		}
		m, err := s.Receive(ctx)
		if err != nil {
			return err
		}
		vu.Check("echo", m.Data == "x")
		return s.Shutdown(ctx, 1000, "")
	})
	var got []bool
	for _, r := range res.Summary.Thresholds {
		got = append(got, r.OK)
	}
	if want := []bool{true, true, true, true, false, false, false}; !slices.Equal(got, want) {
		t.Fatalf("verdicts %v, want %v: %+v", got, want, res.Summary.Thresholds)
	}
	if res.Passed() {
		t.Error("Passed with failing thresholds")
	}
	if n := res.Summary.Thresholds[6].Note; n != "no samples of rtt" {
		t.Errorf("note %q", n)
	}
	var text strings.Builder
	res.Summary.WriteText(&text)
	for _, want := range []string{"ws_connecting", "avg=", "p(95)=", "{ code:1000 }", "✗ threshold ws_connecting:max<1us", "✓ threshold uni_errors:count==0"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("summary text lacks %q:\n%s", want, text.String())
		}
	}
}

func TestBadThresholds(t *testing.T) {
	for src, want := range map[string]string{
		"ws_connecting":              `threshold "ws_connecting": want METRIC:EXPRESSION, e.g. ws_connecting:p(95)<300ms or uni_errors:count==0`,
		"ws_connecting:p(95)":        `threshold "ws_connecting:p(95)": no comparison: use one of < <= > >= == !=, e.g. p(95)<300ms`,
		"ws_connecting:p(150)<3":     `threshold "ws_connecting:p(150)<3": p(150): a percentile is p(N) with N from 0 to 100, e.g. p(95) or p(99.9)`,
		"ws_connecting:p95<3":        `threshold "ws_connecting:p95<3": unknown aggregate "p95": use count, rate, value, passes, fails, avg, min, med, max or p(N)`,
		"uni_errors:p(95)<3":         `threshold "uni_errors:p(95)<3": uni_errors is a counter; p(95) applies to trends`,
		"uni_errors:count==none":     `threshold "uni_errors:count==none": "none" is not a number`,
		"ws_connecting:p(95)<3 days": `threshold "ws_connecting:p(95)<3 days": "3days" is not a number or a duration such as 300ms`,
		":count==0":                  `threshold ":count==0": no metric name before ':'`,
	} {
		_, err := load.ParseThreshold(src)
		if err == nil || err.Error() != want {
			t.Errorf("%s:\n got  %v\n want %s", src, err, want)
		}
	}
}

// Every arrival of an arrival-rate test either ran or was dropped.
func TestArrivalRate(t *testing.T) {
	srv := startServer(t)
	o := load.Options{Rate: 20, VUs: 2, Duration: time.Second}
	plan, err := load.PlanFor(o)
	if err != nil {
		t.Fatal(err)
	}
	s := run(t, o, echoOnce(srv.URL()+"/")).Summary
	ran := count(s, "iterations") + count(s, "iterations_interrupted") + count(s, "dropped_iterations")
	if ran != float64(len(plan.Arrivals)) || len(plan.Arrivals) != 20 {
		t.Fatalf("iterations+interrupted+dropped = %v, planned arrivals %d (want 20)", ran, len(plan.Arrivals))
	}
	if m := s.Metrics["vus_max"]; m == nil || *m.Value != 2 {
		t.Errorf("vus_max = %+v, want the pool of 2", m)
	}
}
