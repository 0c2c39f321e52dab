//go:build chromium

package load_test

// The HTML report in a real browser: Debian's chromium, headless, driven
// over the DevTools protocol. Run with: go test -tags chromium ./load/
// (CI installs chromium first).

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/unisocket/unisocket/internal/testutil/chromium"
	"github.com/unisocket/unisocket/load"
)

// chromiumPath is the browser: $CHROMIUM, else Debian's.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

type pageChart struct {
	Chart  string `json:"chart"`
	Series []struct {
		Name   string     `json:"name"`
		Values []*float64 `json:"values"`
		D      string     `json:"d"`
	} `json:"series"`
}

type pageState struct {
	Charts []pageChart       `json:"charts"`
	Totals map[string]string `json:"totals"`
}

const readPage = `({
  charts: Array.from(document.querySelectorAll('figure[data-chart]')).map(f => ({
    chart: f.dataset.chart,
    series: Array.from(f.querySelectorAll('path[data-series]')).map(p => ({
      name: p.dataset.series, values: JSON.parse(p.dataset.values), d: p.getAttribute('d')}))
  })),
  totals: Object.fromEntries(Array.from(document.querySelectorAll('#totals dd')).map(d => [d.dataset.metric, d.textContent]))
})`

func TestReportInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath()); err != nil {
		t.Fatalf("this test needs chromium (apt-get install chromium, or set CHROMIUM): %v", err)
	}
	res, tl := reportRun(t)
	s := res.Summary
	path := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := (load.Report{Title: "chromium test", Summary: s, Timeline: tl}).WriteHTML(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), safetyNet)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		append(chromium.Options(chromiumPath(), t.TempDir()), chromedp.WindowSize(1280, 1600))...)
	defer cancelAlloc()
	var (
		mu       sync.Mutex
		problems []string
	)
	listen := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				problems = append(problems, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			problems = append(problems, fmt.Sprintf("exception at %d:%d: %s", d.LineNumber, d.ColumnNumber, text))
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				problems = append(problems, fmt.Sprintf("log %s: %s (%s)", ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithListener(listen))
	defer cancelBrowser()
	if err := chromedp.Do(bctx,
		chromedp.Navigate("file://"+path),
		chromedp.WaitVisible(`figure[data-chart="errors"]`),
	); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	page, err := chromedp.Run(bctx, chromedp.Evaluate[pageState](readPage))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	if shot := os.Getenv("UNISOCKET_REPORT_SCREENSHOT"); shot != "" {
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(shot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A merged summary's page: no timeline, the totals, no error either.
	merged := filepath.Join(filepath.Dir(path), "merged.html")
	if f, err := os.Create(merged); err != nil {
		t.Fatal(err)
	} else if err := (load.Report{Title: "merged", Summary: s}).WriteHTML(f); err != nil {
		t.Fatal(err)
	} else if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+merged), chromedp.WaitVisible(`p.empty`)); err != nil {
		t.Fatalf("chromium, the merged page: %v", err)
	}
	mergedPage, err := chromedp.Run(bctx, chromedp.Evaluate[pageState](readPage))
	if err != nil {
		t.Fatalf("reading the merged page: %v", err)
	}
	if len(mergedPage.Charts) != 0 || mergedPage.Totals["ws_msgs_sent"] != strconv.FormatFloat(count(s, "ws_msgs_sent"), 'f', -1, 64) {
		t.Errorf("the merged page: %d charts, ws_msgs_sent %q; want none and %v", len(mergedPage.Charts), mergedPage.Totals["ws_msgs_sent"], count(s, "ws_msgs_sent"))
	}
	cancelBrowser()
	mu.Lock()
	for _, p := range problems {
		t.Errorf("the page reported: %s", p)
	}
	mu.Unlock()

	pts := tl.Points()
	charts := map[string]pageChart{}
	for _, c := range page.Charts {
		charts[c.Chart] = c
	}
	series := func(chart, name string) []*float64 {
		t.Helper()
		for _, s := range charts[chart].Series {
			if s.Name == name {
				if len(s.Values) != len(pts) {
					t.Errorf("%s/%s: %d values, the run has %d points", chart, name, len(s.Values), len(pts))
				}
				if s.D == "" {
					t.Errorf("%s/%s: the line is not drawn", chart, name)
				}
				return s.Values
			}
		}
		t.Fatalf("chart %q has no series %q; charts: %+v", chart, name, page.Charts)
		return nil
	}
	for _, name := range []string{"vus", "msgs", "latency:ws_connecting", "latency:rtt", "errors"} {
		if _, ok := charts[name]; !ok {
			t.Errorf("no %s chart", name)
		}
	}
	// VUs and open sockets: the run's values, point by point.
	vus, open := series("vus", "VUs"), series("vus", "open sockets")
	for i, p := range pts {
		if i < len(vus) && (vus[i] == nil || *vus[i] != float64(p.VUs)) || i < len(open) && (open[i] == nil || *open[i] != float64(p.OpenSockets)) {
			t.Errorf("point %d: the page shows VUs %v, open %v; the run had %d, %d", i, deref(vus, i), deref(open, i), p.VUs, p.OpenSockets)
		}
	}
	// msgs/s over each interval add up to the summary's counts.
	for name, metric := range map[string]string{"sent": "ws_msgs_sent", "received": "ws_msgs_received"} {
		rates, total, prev := series("msgs", name), 0.0, 0.0
		for i, p := range pts {
			if i < len(rates) && rates[i] != nil {
				total += *rates[i] * (p.T - prev)
			}
			prev = p.T
		}
		if want := count(s, metric); want == 0 || math.Abs(total-want) > 1e-6*want {
			t.Errorf("msgs %s: rate × time adds up to %v, the summary's %s is %v", name, total, metric, want)
		}
	}
	// Errors: the total line ends at the summary's uni_errors.
	errs := series("errors", "total")
	if want := count(s, "uni_errors"); want == 0 || len(errs) == 0 || errs[len(errs)-1] == nil || *errs[len(errs)-1] != want {
		t.Errorf("errors chart ends at %v, the summary's uni_errors is %v", deref(errs, len(errs)-1), want)
	}
	// Latency: the largest max drawn is the summary's max.
	for _, trend := range []string{"ws_connecting", "rtt"} {
		most := 0.0
		for _, v := range series("latency:"+trend, "max") {
			if v != nil {
				most = max(most, *v)
			}
		}
		if want := *s.Metrics[trend].Max; math.Abs(most-want) > 1e-9 {
			t.Errorf("%s: the chart's largest max is %v ms, the summary's max %v ms", trend, most, want)
		}
	}
	for _, metric := range []string{"ws_msgs_sent", "uni_errors", "iterations"} {
		if got, want := page.Totals[metric], strconv.FormatFloat(count(s, metric), 'f', -1, 64); got != want {
			t.Errorf("header %s = %q, want %q", metric, got, want)
		}
	}
}

func deref(v []*float64, i int) any {
	if i < 0 || i >= len(v) || v[i] == nil {
		return nil
	}
	return *v[i]
}
