package load

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Merge combines the summaries of processes that ran side by side — the
// segments of one test — into the summary of the whole: counters and
// checks add up, trends merge their HDR histograms (percentiles of the
// merged histogram are those of all samples together, exact within the
// histogram's precision) and their exact sums, minimums and maximums;
// gauges add up too (vus is the sum of the processes' VUs). Counters'
// per-second rates are taken over the longest run. Thresholds are not
// carried over: check them again on the result.
func Merge(parts ...*Summary) (*Summary, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("no summary to merge")
	}
	out := &Summary{Metrics: map[string]*MetricSummary{}}
	var segs []string
	aggs := map[string]*agg{}
	for i, p := range parts {
		out.DurationMS = max(out.DurationMS, p.DurationMS)
		segs = append(segs, p.Segment)
		for name, m := range p.Metrics {
			a := aggs[name]
			k := kindOf(m.Type)
			if m.Type != k.String() {
				return nil, &MergeError{Part: i, Metric: name, Reason: fmt.Sprintf("unknown metric type %q", m.Type)}
			}
			if a == nil {
				a = &agg{kind: k}
				aggs[name] = a
			} else if a.kind != k {
				return nil, &MergeError{Part: i, Metric: name, Reason: fmt.Sprintf("a %s here, a %s before", m.Type, a.kind)}
			}
			if err := a.merge(m); err != nil {
				return nil, &MergeError{Part: i, Metric: name, Reason: err.Error()}
			}
		}
	}
	elapsed := time.Duration(out.DurationMS * float64(time.Millisecond))
	for name, a := range aggs {
		out.Metrics[name] = a.summary(elapsed)
	}
	out.Segment = strings.Join(segs, "+")
	return out, nil
}

// MergeError is a summary that cannot be merged with the others.
type MergeError struct {
	Part   int // index of the summary, from 0
	Metric string
	Reason string
}

// Error names the summary (from 1), the metric and the reason.
func (e *MergeError) Error() string {
	return "summary " + strconv.Itoa(e.Part+1) + ", metric " + e.Metric + ": " + e.Reason
}

// merge adds one summary's metric to the aggregate.
func (a *agg) merge(m *MetricSummary) error {
	switch a.kind {
	case Counter:
		a.sum += m.Count
		a.n++
	case Rate:
		a.sum += float64(m.Passes)
		a.n += m.Passes + m.Fails
	case Gauge:
		first := a.n == 0
		a.n++
		a.last += deref(m.Value)
		if first {
			a.min, a.max = deref(m.Min), deref(m.Max)
		} else {
			a.min += deref(m.Min)
			a.max += deref(m.Max)
		}
	case Trend:
		if m.Count == 0 {
			return nil
		}
		h, err := m.Histogram()
		if err != nil || h == nil {
			return fmt.Errorf("its HDR histogram cannot be read: %v", err)
		}
		minUS, maxUS := micros(deref(m.Min)), micros(deref(m.Max))
		if a.n == 0 || minUS < a.minUS {
			a.minUS = minUS
		}
		if a.n == 0 || maxUS > a.maxUS {
			a.maxUS = maxUS
		}
		a.n += int64(m.Count)
		a.sumUS += m.SumUS
		if a.hist == nil {
			a.hist = newHist()
		}
		if dropped := a.hist.Merge(h); dropped > 0 {
			return fmt.Errorf("%d values out of the histogram's range", dropped)
		}
	}
	return nil
}
