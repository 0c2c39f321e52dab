package load_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/unisocket/unisocket/load"
	"github.com/unisocket/unisocket/uni"
)

// What a Prometheus server scrapes from the collector equals the test's
// own summary.
func TestPrometheusTotalsEqualTheSummary(t *testing.T) {
	srv := startServer(t)
	urls := []string{srv.URL() + "/", srv.URL() + "/?status=403"}
	var n atomic.Int64
	test, err := load.New(load.Options{VUs: 2, Iterations: 6}, func(ctx context.Context, vu *load.VU) error {
		if n.Add(1)%3 == 0 {
			_, err := vu.Dial(ctx, uni.ConnectSocketOptions{URL: urls[1]})
			return err
		}
		return echoOnce(urls[0])(ctx, vu)
	})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(test.Collector())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError})}
	go hs.Serve(l)
	defer hs.Close()

	res := test.Run(context.Background())
	resp, err := http.Get("http://" + l.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("scrape: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	value := func(fam string, label ...string) float64 {
		f := fams[fam]
		if f == nil {
			t.Errorf("no %s in the scrape", fam)
			return -1
		}
		var sum float64
	metrics:
		for _, m := range f.Metric {
			for i := 0; i+1 < len(label); i += 2 {
				found := false
				for _, lp := range m.Label {
					found = found || lp.GetName() == label[i] && lp.GetValue() == label[i+1]
				}
				if !found {
					continue metrics
				}
			}
			switch {
			case m.Counter != nil:
				sum += m.Counter.GetValue()
			case m.Gauge != nil:
				sum += m.Gauge.GetValue()
			case m.Summary != nil:
				sum += float64(m.Summary.GetSampleCount())
			}
		}
		return sum
	}
	s := res.Summary
	for fam, metric := range map[string]string{
		"unisocket_iterations_total":       "iterations",
		"unisocket_ws_sessions_total":      "ws_sessions",
		"unisocket_ws_msgs_sent_total":     "ws_msgs_sent",
		"unisocket_ws_msgs_received_total": "ws_msgs_received",
		"unisocket_data_sent_total":        "data_sent",
		"unisocket_uni_errors_total":       "uni_errors",
		"unisocket_ws_connecting_seconds":  "ws_connecting",
		"unisocket_rtt_seconds":            "rtt",
	} {
		if got, want := value(fam), s.Metrics[metric].Count; got != want || want == 0 {
			t.Errorf("%s = %v, summary's %s = %v", fam, got, metric, want)
		}
	}
	if got := value("unisocket_uni_close_codes_by_code_total", "code", "1006"); got != s.Metrics["uni_close_codes{code:1006}"].Count || got != 2 {
		t.Errorf("close 1006: scraped %v, summary %v, want 2", got, s.Metrics["uni_close_codes{code:1006}"].Count)
	}
	var byMsg float64
	for _, m := range fams["unisocket_uni_errors_by_errMsg_total"].GetMetric() {
		if strings.Contains(m.Label[0].GetValue(), "403") {
			byMsg += m.Counter.GetValue()
		}
	}
	if byMsg != 2 {
		t.Errorf("errors naming 403: %v, want 2", byMsg)
	}
	if got := value("unisocket_checks_total", "result", "pass"); got != 4 {
		t.Errorf("checks passed: %v, want 4", got)
	}
}
