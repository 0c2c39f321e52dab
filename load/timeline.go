package load

import (
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// MaxTimelineTrends bounds the trends a Timeline follows: the first ones
// seen, ws_connecting first; a script's further trends are in the summary
// only.
const MaxTimelineTrends = 8

// Timeline records a test over time for the HTML report: every interval,
// the live counters (VUs, open sockets, messages, errors, iterations) and
// the percentiles of each trend's samples that reached the store in that
// interval. It is a SampleWriter, to be given Options.Samples (alone or
// with another, see TeeSamples), and follows the test with Follow. Its
// memory grows with the test's length by one point per interval, not
// with the samples.
type Timeline struct {
	mu     sync.Mutex
	points []TimePoint
	trends []string // followed trends, in order of first sample
	hists  map[string]*hdr.Histogram
	maxes  map[string]float64 // the interval's exact maxima, in ms
}

// TimePoint is one interval of a Timeline.
type TimePoint struct {
	// T is the end of the interval, in seconds since the test started.
	T float64 `json:"t"`
	// VUs and OpenSockets are the values at T; the others are totals
	// from the start to T.
	VUs          int64 `json:"vus"`
	OpenSockets  int64 `json:"openSockets"`
	MsgsSent     int64 `json:"msgsSent"`
	MsgsReceived int64 `json:"msgsReceived"`
	Errors       int64 `json:"errors"`
	Iterations   int64 `json:"iterations"`
	// Latency holds, by trend, the percentiles of the interval's samples;
	// a trend with no sample in the interval is absent.
	Latency map[string]Percentiles `json:"latency,omitempty"`
}

// Percentiles are the median, p95, p99 and maximum of an interval's
// samples, in milliseconds (1 % resolution, the maximum exact).
type Percentiles struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

// NewTimeline returns an empty Timeline.
func NewTimeline() *Timeline {
	return &Timeline{hists: map[string]*hdr.Histogram{}, maxes: map[string]float64{}}
}

// WriteSample adds a trend's sample to the current interval.
func (tl *Timeline) WriteSample(s Sample) error {
	if s.Kind != Trend {
		return nil
	}
	tl.mu.Lock()
	defer tl.mu.Unlock()
	h := tl.hists[s.Metric]
	if h == nil {
		if len(tl.trends) >= MaxTimelineTrends {
			return nil
		}
		// Two digits: 1 % is plenty for a chart, at a fifth of the memory.
		h = hdr.New(histLowest, histHighest, 2)
		tl.hists[s.Metric] = h
		tl.trends = append(tl.trends, s.Metric)
	}
	_ = h.RecordValue(micros(s.Value))
	if s.Value > tl.maxes[s.Metric] {
		tl.maxes[s.Metric] = s.Value
	}
	return nil
}

// Record closes the current interval with the counters p.
func (tl *Timeline) Record(p Progress) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	pt := TimePoint{
		T: p.Elapsed.Seconds(), VUs: p.VUs, OpenSockets: p.OpenSockets,
		MsgsSent: p.MsgsSent, MsgsReceived: p.MsgsReceived, Errors: p.Errors, Iterations: p.Iterations,
	}
	for _, name := range tl.trends {
		h := tl.hists[name]
		if h.TotalCount() == 0 {
			continue
		}
		if pt.Latency == nil {
			pt.Latency = map[string]Percentiles{}
		}
		ms := func(q float64) float64 { return min(float64(h.ValueAtQuantile(q))/1000, tl.maxes[name]) }
		pt.Latency[name] = Percentiles{Count: h.TotalCount(), P50: ms(50), P95: ms(95), P99: ms(99), Max: tl.maxes[name]}
		h.Reset()
		tl.maxes[name] = 0
	}
	tl.points = append(tl.points, pt)
}

// Points returns the intervals recorded so far.
func (tl *Timeline) Points() []TimePoint {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return append([]TimePoint(nil), tl.points...)
}

// Trends returns the trends the Timeline follows, in order of first sample.
func (tl *Timeline) Trends() []string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return append([]string(nil), tl.trends...)
}

// Follow records test's counters every period until the returned
// function is called; call it after Run returned, so the last point
// holds the test's totals.
func (tl *Timeline) Follow(test *Test, period time.Duration) (stop func()) {
	stopRecording := every(period, func() { tl.Record(test.Progress()) })
	return func() {
		stopRecording()
		tl.Record(test.Progress())
	}
}

// TeeSamples returns a SampleWriter that gives every sample to each of
// ws in turn; nil writers are left out. The first error is returned, after
// every writer had the sample.
func TeeSamples(ws ...SampleWriter) SampleWriter {
	var t tee
	for _, w := range ws {
		if w != nil {
			t = append(t, w)
		}
	}
	return t
}

type tee []SampleWriter

func (t tee) WriteSample(s Sample) error {
	var first error
	for _, w := range t {
		if err := w.WriteSample(s); err != nil && first == nil {
			first = err
		}
	}
	return first
}
