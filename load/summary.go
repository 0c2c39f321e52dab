package load

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Summary is what a test measured, as the end-of-test table shows it and
// --summary-export writes it (JSON). Summaries of the segments of one
// test merge into the summary of the whole.
type Summary struct {
	// Duration is how long the test ran, in milliseconds.
	DurationMS float64 `json:"duration_ms"`
	// Segment is the slice of the schedule that ran, "I/N".
	Segment string `json:"segment"`
	// Metrics are the metrics and submetrics by name, e.g.
	// "ws_connecting" and "uni_close_codes{code:1000}".
	Metrics map[string]*MetricSummary `json:"metrics"`
	// Thresholds are the thresholds' verdicts, in the order given.
	Thresholds []ThresholdResult `json:"thresholds,omitempty"`
}

// MetricSummary is one metric's aggregate. Which fields are set depends
// on Type: counters have Count and Rate (per second); rates have Passes,
// Fails and Rate (the share that passed); gauges Value, Min and Max;
// trends Count, Avg, Min, Med, Max, Percentiles (in milliseconds) and the
// HDR histogram they come from.
type MetricSummary struct {
	Type        string             `json:"type"`
	Count       float64            `json:"count,omitempty"`
	Rate        *float64           `json:"rate,omitempty"`
	Passes      int64              `json:"passes,omitempty"`
	Fails       int64              `json:"fails,omitempty"`
	Value       *float64           `json:"value,omitempty"`
	Avg         *float64           `json:"avg,omitempty"`
	Min         *float64           `json:"min,omitempty"`
	Med         *float64           `json:"med,omitempty"`
	Max         *float64           `json:"max,omitempty"`
	Percentiles map[string]float64 `json:"percentiles,omitempty"` // "p(90)" → ms
	// SumUS is a trend's exact sum in microseconds, so merged summaries
	// keep an exact average.
	SumUS int64 `json:"sum_us,omitempty"`
	// HDR is a trend's histogram in the HdrHistogram V2 compressed
	// encoding (base64), the form other HdrHistogram tools read.
	HDR string `json:"hdr,omitempty"`
}

// SummaryPercentiles are the percentiles a trend's summary holds, besides
// med (p(50)); thresholds may ask for any other from the histogram.
var SummaryPercentiles = []float64{90, 95, 99}

// PercentileName writes p as thresholds and the summary name it: "p(95)",
// "p(99.9)".
func PercentileName(p float64) string {
	return "p(" + strconv.FormatFloat(p, 'f', -1, 64) + ")"
}

func ptr(v float64) *float64 { return &v }

// summarize turns the aggregates into a summary; elapsed gives counters'
// per-second rates.
func summarize(aggs map[string]*agg, elapsed time.Duration, seg Segment) *Summary {
	s := &Summary{DurationMS: ms(elapsed), Segment: seg.String(), Metrics: map[string]*MetricSummary{}}
	for name, a := range aggs {
		s.Metrics[name] = a.summary(elapsed)
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (a *agg) summary(elapsed time.Duration) *MetricSummary {
	m := &MetricSummary{Type: a.kind.String()}
	switch a.kind {
	case Counter:
		m.Count = a.sum
		if elapsed > 0 {
			m.Rate = ptr(a.sum / elapsed.Seconds())
		}
	case Rate:
		m.Passes = int64(a.sum)
		m.Fails = a.n - m.Passes
		if a.n > 0 {
			m.Rate = ptr(a.sum / float64(a.n))
		}
	case Gauge:
		m.Value, m.Min, m.Max = ptr(a.last), ptr(a.min), ptr(a.max)
	case Trend:
		m.Count = float64(a.n)
		m.SumUS = a.sumUS
		if a.n > 0 {
			m.Avg = ptr(float64(a.sumUS) / float64(a.n) / 1000)
			m.Min, m.Max = ptr(float64(a.minUS)/1000), ptr(float64(a.maxUS)/1000)
			m.setPercentiles(a.hist, a.minUS, a.maxUS)
		}
	}
	return m
}

func (m *MetricSummary) setPercentiles(h *hdr.Histogram, minUS, maxUS int64) {
	m.Med = ptr(quantileMS(h, 50, minUS, maxUS))
	m.Percentiles = map[string]float64{}
	for _, p := range SummaryPercentiles {
		m.Percentiles[PercentileName(p)] = quantileMS(h, p, minUS, maxUS)
	}
	if b, err := h.Encode(hdr.V2CompressedEncodingCookieBase); err == nil {
		m.HDR = string(b)
	}
}

// quantileMS is the p-th percentile of a histogram of microseconds, in
// milliseconds. The histogram answers with the top of the value's bucket,
// which can pass the largest sample; the exact minimum and maximum bound
// it, so p(99) never reads above max.
func quantileMS(h *hdr.Histogram, p float64, minUS, maxUS int64) float64 {
	return float64(min(max(h.ValueAtQuantile(p), minUS), maxUS)) / 1000
}

// Histogram decodes a trend's HDR histogram (microseconds); nil when the
// metric has none.
func (m *MetricSummary) Histogram() (*hdr.Histogram, error) {
	if m.HDR == "" {
		return nil, nil
	}
	return hdr.Decode([]byte(m.HDR))
}

// WriteJSON writes the summary as --summary-export does.
func (s *Summary) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// WriteText writes the end-of-test table, k6's layout: one line per
// metric, submetrics indented under it.
func (s *Summary) WriteText(w io.Writer) {
	names := make([]string, 0, len(s.Metrics))
	for n := range s.Metrics {
		names = append(names, n)
	}
	// Submetrics sort right after their metric: '{' sorts after letters
	// and '_', so compare with it replaced by a low byte.
	key := func(n string) string { return strings.Replace(n, "{", "\x00", 1) }
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(key(a), key(b)) })
	fmt.Fprintf(w, "  segment %s ran %s\n\n", s.Segment, msText(s.DurationMS))
	// Names are aligned up to a width; a longer one (an errMsg) is not
	// padded, so one long error does not push every value off the screen.
	const maxWidth = 36
	width := 0
	for _, n := range names {
		if l := len(displayName(n)); l <= maxWidth {
			width = max(width, l)
		}
	}
	for _, n := range names {
		d := displayName(n)
		fmt.Fprintf(w, "  %s%s: %s\n", d, strings.Repeat(".", max(width+3-len(d), 0)), s.Metrics[n].text())
	}
	for _, t := range s.Thresholds {
		mark := "✓"
		if !t.OK {
			mark = "✗"
		}
		fmt.Fprintf(w, "  %s threshold %s\n", mark, t.Source)
	}
}

func displayName(n string) string {
	if i := strings.IndexByte(n, '{'); i >= 0 {
		return "  { " + n[i+1:len(n)-1] + " }"
	}
	return n
}

func (m *MetricSummary) text() string {
	switch m.Type {
	case "counter":
		r := ""
		if m.Rate != nil {
			r = "  " + num(*m.Rate) + "/s"
		}
		return num(m.Count) + r
	case "rate":
		r := 0.0
		if m.Rate != nil {
			r = *m.Rate
		}
		return fmt.Sprintf("%s%%  ✓ %d  ✗ %d", num(r*100), m.Passes, m.Fails)
	case "gauge":
		return fmt.Sprintf("%s  min=%s max=%s", num(deref(m.Value)), num(deref(m.Min)), num(deref(m.Max)))
	case "trend":
		if m.Count == 0 {
			return "no samples"
		}
		parts := []string{"avg=" + msText(deref(m.Avg)), "min=" + msText(deref(m.Min)), "med=" + msText(deref(m.Med))}
		for _, p := range SummaryPercentiles {
			n := PercentileName(p)
			parts = append(parts, n+"="+msText(m.Percentiles[n]))
		}
		parts = append(parts, "max="+msText(deref(m.Max)), "count="+num(m.Count))
		return strings.Join(parts, " ")
	}
	return ""
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// msText writes milliseconds as k6 does: µs below 1 ms, s above 1 s.
func msText(v float64) string {
	switch {
	case v < 1:
		return strconv.FormatFloat(v*1000, 'f', 0, 64) + "µs"
	case v < 1000:
		return strconv.FormatFloat(v, 'f', 2, 64) + "ms"
	}
	return strconv.FormatFloat(v/1000, 'f', 2, 64) + "s"
}
