package load

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Threshold is a pass/fail criterion on one aggregate of one metric, as
// k6 writes them: "ws_connecting:p(95)<300ms", "uni_errors:count==0",
// "uni_close_codes{code:1006}:count<5", "checks:rate>0.99".
type Threshold struct {
	// Source is the threshold as written.
	Source string
	// Metric is the metric or submetric it applies to.
	Metric string
	// Agg is the aggregate: count, rate, value, passes, fails, avg, min,
	// med, max or p(N).
	Agg string
	// Op is <, <=, >, >=, == or !=.
	Op string
	// Bound is the value compared with, in milliseconds for trends.
	Bound float64

	percentile float64 // for p(N)
}

// ThresholdResult is a threshold's verdict.
type ThresholdResult struct {
	Source string  `json:"source"`
	OK     bool    `json:"ok"`
	Value  float64 `json:"value"`          // the aggregate's value
	Note   string  `json:"note,omitempty"` // why it failed without a value, e.g. "no samples"
}

// ThresholdError is a threshold that cannot be read.
type ThresholdError struct {
	Source string
	Reason string
}

// Error quotes the threshold and says what is wrong with it.
func (e *ThresholdError) Error() string {
	return fmt.Sprintf("threshold %q: %s", e.Source, e.Reason)
}

var thresholdOps = []string{"<=", ">=", "==", "!=", "<", ">"}

// aggKinds says which metric kinds each aggregate applies to.
var aggKinds = map[string][]Kind{
	"count": {Counter, Trend}, "rate": {Counter, Rate},
	"passes": {Rate}, "fails": {Rate},
	"value": {Gauge}, "min": {Gauge, Trend}, "max": {Gauge, Trend},
	"avg": {Trend}, "med": {Trend}, "p": {Trend},
}

// ParseThreshold reads a threshold.
func ParseThreshold(src string) (Threshold, error) {
	bad := func(format string, a ...any) (Threshold, error) {
		return Threshold{}, &ThresholdError{Source: src, Reason: fmt.Sprintf(format, a...)}
	}
	t := Threshold{Source: src}
	// A submetric's tag value may hold ':', so the metric ends after its
	// closing brace when it has one.
	rest := ""
	if i := strings.IndexByte(src, '{'); i >= 0 && i < strings.IndexByte(src+":", ':') {
		j := strings.IndexByte(src, '}')
		if j < 0 || j+1 >= len(src) || src[j+1] != ':' {
			return bad("want METRIC{TAG:VALUE}:EXPRESSION, e.g. uni_close_codes{code:1006}:count==0")
		}
		t.Metric, rest = src[:j+1], src[j+2:]
	} else {
		var ok bool
		t.Metric, rest, ok = strings.Cut(src, ":")
		if !ok {
			return bad("want METRIC:EXPRESSION, e.g. ws_connecting:p(95)<300ms or uni_errors:count==0")
		}
	}
	t.Metric = strings.TrimSpace(t.Metric)
	if t.Metric == "" {
		return bad("no metric name before ':'")
	}
	rest = strings.ReplaceAll(rest, " ", "")
	for _, op := range thresholdOps {
		if i := strings.Index(rest, op); i >= 0 {
			t.Agg, t.Op = rest[:i], op
			rest = rest[i+len(op):]
			break
		}
	}
	if t.Op == "" {
		return bad("no comparison: use one of < <= > >= == !=, e.g. p(95)<300ms")
	}
	aggName := t.Agg
	if strings.HasPrefix(t.Agg, "p(") && strings.HasSuffix(t.Agg, ")") {
		p, err := strconv.ParseFloat(t.Agg[2:len(t.Agg)-1], 64)
		if err != nil || p < 0 || p > 100 {
			return bad("%s: a percentile is p(N) with N from 0 to 100, e.g. p(95) or p(99.9)", t.Agg)
		}
		t.percentile, aggName = p, "p"
	}
	kinds, ok := aggKinds[aggName]
	if !ok {
		return bad("unknown aggregate %q: use count, rate, value, passes, fails, avg, min, med, max or p(N)", t.Agg)
	}
	base, _, _ := strings.Cut(t.Metric, "{")
	kind, known := builtin[base]
	if known && !slices.Contains(kinds, kind) {
		return bad("%s is a %s; %s applies to %s", base, kind, t.Agg, kindList(kinds))
	}
	v, err := parseBound(rest, !known || kind == Trend)
	if err != nil {
		return bad("%v", err)
	}
	t.Bound = v
	return t, nil
}

func kindList(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = k.String() + "s"
	}
	return strings.Join(s, " and ")
}

// parseBound reads the value compared with: a number, or for a trend a
// duration (300ms, 1.5s, 800us); a bare number is milliseconds, as in k6.
func parseBound(s string, durationOK bool) (float64, error) {
	if s == "" {
		return 0, fmt.Errorf("no value after the comparison")
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v, nil
	}
	if durationOK {
		if d, err := time.ParseDuration(s); err == nil {
			return float64(d) / float64(time.Millisecond), nil
		}
	}
	if durationOK {
		return 0, fmt.Errorf("%q is not a number or a duration such as 300ms", s)
	}
	return 0, fmt.Errorf("%q is not a number", s)
}

// Check evaluates the threshold against a summary.
func (t Threshold) Check(s *Summary) ThresholdResult {
	r := ThresholdResult{Source: t.Source}
	m := s.Metrics[t.Metric]
	v, note := t.value(m)
	if note != "" {
		r.Note = note
		return r
	}
	r.Value = v
	switch t.Op {
	case "<":
		r.OK = v < t.Bound
	case "<=":
		r.OK = v <= t.Bound
	case ">":
		r.OK = v > t.Bound
	case ">=":
		r.OK = v >= t.Bound
	case "==":
		r.OK = v == t.Bound
	case "!=":
		r.OK = v != t.Bound
	}
	return r
}

// value is the aggregate the threshold compares; note says why there is
// none. A metric nobody recorded has a count of 0 (uni_errors:count==0
// passes when nothing failed), and no other aggregate.
func (t Threshold) value(m *MetricSummary) (float64, string) {
	if m == nil {
		switch t.Agg {
		case "count", "passes", "fails":
			return 0, ""
		case "rate":
			base, _, _ := strings.Cut(t.Metric, "{")
			if builtin[base] == Counter {
				return 0, ""
			}
		}
		return 0, "no samples of " + t.Metric
	}
	aggName := t.Agg
	if t.percentile != 0 || strings.HasPrefix(t.Agg, "p(") {
		aggName = "p"
	}
	if !slices.Contains(aggKinds[aggName], kindOf(m.Type)) {
		return 0, fmt.Sprintf("%s is a %s; %s does not apply", t.Metric, m.Type, t.Agg)
	}
	switch aggName {
	case "count":
		return m.Count, ""
	case "passes":
		return float64(m.Passes), ""
	case "fails":
		return float64(m.Fails), ""
	case "rate":
		return deref(m.Rate), ""
	}
	if m.Type == "trend" && m.Count == 0 {
		return 0, "no samples of " + t.Metric
	}
	switch aggName {
	case "value":
		return deref(m.Value), ""
	case "min":
		return deref(m.Min), ""
	case "max":
		return deref(m.Max), ""
	case "avg":
		return deref(m.Avg), ""
	case "med":
		return deref(m.Med), ""
	}
	h, err := m.Histogram()
	if err != nil || h == nil {
		return 0, "no histogram for " + t.Metric
	}
	return quantileMS(h, t.percentile, micros(deref(m.Min)), micros(deref(m.Max))), ""
}

func kindOf(name string) Kind {
	for k := Counter; k <= Trend; k++ {
		if k.String() == name {
			return k
		}
	}
	return Counter
}
