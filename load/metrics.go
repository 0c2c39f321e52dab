package load

import (
	"math"
	"strconv"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Kind is what a metric measures, as k6's metric types.
type Kind uint8

// The kinds of metric.
const (
	Counter Kind = iota // a sum: messages, bytes, errors
	Gauge               // a value that goes up and down: VUs
	Rate                // the share of true samples: checks
	Trend               // a distribution of durations, in milliseconds
)

// String returns the kind as the summary writes it: "counter", "gauge",
// "rate" or "trend".
func (k Kind) String() string {
	switch k {
	case Counter:
		return "counter"
	case Gauge:
		return "gauge"
	case Rate:
		return "rate"
	case Trend:
		return "trend"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// The metrics every test records. Names follow k6 where k6 has the metric.
const (
	MetricConnecting      = "ws_connecting"       // trend: from connectSocket to the open event
	MetricSessions        = "ws_sessions"         // counter: connectSocket calls issued
	MetricSessionDuration = "ws_session_duration" // trend: from connectSocket to the close event
	MetricMsgsSent        = "ws_msgs_sent"        // counter: messages whose send succeeded
	MetricMsgsReceived    = "ws_msgs_received"    // counter: message events
	MetricDataSent        = "data_sent"           // counter: bytes written to the network, handshake and TLS included
	MetricDataReceived    = "data_received"       // counter: bytes read from the network
	MetricVUs             = "vus"                 // gauge: active VUs
	MetricVUsMax          = "vus_max"             // gauge: VUs created so far
	MetricIterations      = "iterations"          // counter: iterations that ran to their end
	MetricIterationDur    = "iteration_duration"  // trend: how long those took
	MetricInterrupted     = "iterations_interrupted"
	MetricDropped         = "dropped_iterations" // counter: arrivals with no free VU
	MetricIterationErrors = "iteration_errors"   // counter by error: iterations that failed
	MetricErrors          = "uni_errors"         // counter by errMsg: error events and failed calls
	MetricCloseCodes      = "uni_close_codes"    // counter by code: close events
	MetricQuota           = "uni_quota_rejections"
	MetricChecks          = "checks" // rate, and by check name
)

// builtin are the kinds of the metrics the engine records, so a script
// cannot record a trend under a counter's name.
var builtin = map[string]Kind{
	MetricConnecting: Trend, MetricSessions: Counter, MetricSessionDuration: Trend,
	MetricMsgsSent: Counter, MetricMsgsReceived: Counter, MetricDataSent: Counter,
	MetricDataReceived: Counter, MetricVUs: Gauge, MetricVUsMax: Gauge,
	MetricIterations: Counter, MetricIterationDur: Trend, MetricInterrupted: Counter,
	MetricDropped: Counter, MetricIterationErrors: Counter, MetricErrors: Counter,
	MetricCloseCodes: Counter, MetricQuota: Counter, MetricChecks: Rate,
}

// Trend values are kept as whole microseconds in HDR histograms from
// 1 µs to one hour with three significant digits: percentiles are exact
// to 0.1 %, and histograms of VUs and processes merge exactly.
const (
	histLowest  = 1
	histHighest = int64(time.Hour / time.Microsecond)
	histDigits  = 3
)

func newHist() *hdr.Histogram { return hdr.New(histLowest, histHighest, histDigits) }

// Sample is one measurement.
type Sample struct {
	Metric string
	Kind   Kind
	Time   time.Time
	// Value is a count for counters, 0 or 1 for rates, the value of a
	// gauge, and milliseconds (to the microsecond) for trends.
	Value float64
	// Tag is the submetric's tag, when the metric has one: errMsg for
	// uni_errors, code for uni_close_codes, check for checks, error for
	// iteration_errors.
	TagKey, TagValue string
	// VU is the number of the VU that took it; 0 for the engine's own.
	VU int
}

// SubName is the name of the sample's submetric, as the summary and
// thresholds write it: "uni_close_codes{code:1006}"; "" without a tag.
func (s Sample) SubName() string {
	if s.TagKey == "" {
		return ""
	}
	return s.Metric + "{" + s.TagKey + ":" + s.TagValue + "}"
}

// micros turns a trend value in milliseconds into the whole microseconds
// the histograms hold.
func micros(ms float64) int64 { return int64(math.Round(ms * 1000)) }

// agg is the aggregate of one metric or submetric.
type agg struct {
	kind     Kind
	n        int64   // samples
	sum      float64 // counters and gauges: sum of values; rates: passes
	sumUS    int64   // trends: sum in µs, exact
	minUS    int64
	maxUS    int64
	last     float64 // gauges
	min, max float64 // gauges
	hist     *hdr.Histogram
}

func (a *agg) add(s Sample) {
	a.n++
	switch a.kind {
	case Counter:
		a.sum += s.Value
	case Rate:
		if s.Value != 0 {
			a.sum++
		}
	case Gauge:
		if a.n == 1 || s.Value < a.min {
			a.min = s.Value
		}
		if a.n == 1 || s.Value > a.max {
			a.max = s.Value
		}
		a.last = s.Value
	case Trend:
		us := min(max(micros(s.Value), 0), histHighest)
		if a.n == 1 || us < a.minUS {
			a.minUS = us
		}
		if a.n == 1 || us > a.maxUS {
			a.maxUS = us
		}
		a.sumUS += us
		if a.hist == nil {
			a.hist = newHist()
		}
		_ = a.hist.RecordValue(us)
	}
}

// store holds the aggregates of a test. VUs hand it samples in batches,
// so its lock is taken once per batch, not once per sample.
type store struct {
	mu    sync.Mutex
	aggs  map[string]*agg // by metric name and by submetric name
	out   SampleWriter
	wrong map[string]bool // user metrics recorded with two kinds, reported once
	subs  map[string]int  // submetrics per metric, bounded by MaxTagValues
	onErr func(error)
}

// MaxTagValues bounds the submetrics of one metric: errMsg strings that
// name a URL with a per-VU query would otherwise make one submetric per
// VU. Further values are counted under OtherTagValue.
const MaxTagValues = 100

// OtherTagValue is the tag value of the samples past MaxTagValues.
const OtherTagValue = "(other values)"

func newStore(out SampleWriter, onErr func(error)) *store {
	return &store{aggs: map[string]*agg{}, out: out, wrong: map[string]bool{}, subs: map[string]int{}, onErr: onErr}
}

func (st *store) addBatch(batch []Sample) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, s := range batch {
		if !st.addOne(s.Metric, s) {
			continue
		}
		if sub := s.SubName(); sub != "" {
			if _, known := st.aggs[sub]; !known {
				if st.subs[s.Metric] >= MaxTagValues {
					// The stream below keeps the sample's own value.
					other := s
					other.TagValue = OtherTagValue
					sub = other.SubName()
				} else {
					st.subs[s.Metric]++
				}
			}
			st.addOne(sub, s)
		}
		if st.out != nil {
			if err := st.out.WriteSample(s); err != nil && st.onErr != nil {
				st.onErr(err)
				st.out = nil // one report; the summary still comes
			}
		}
	}
}

func (st *store) addOne(name string, s Sample) bool {
	a := st.aggs[name]
	if a == nil {
		a = &agg{kind: s.Kind}
		st.aggs[name] = a
	}
	if a.kind != s.Kind {
		if !st.wrong[name] && st.onErr != nil {
			st.wrong[name] = true
			st.onErr(&MetricKindError{Metric: name, Kind: a.kind, Used: s.Kind})
		}
		return false
	}
	a.add(s)
	return true
}

// MetricKindError is a metric recorded as two kinds, e.g. a script's
// trend named like a counter. The samples of the second kind are dropped.
type MetricKindError struct {
	Metric     string
	Kind, Used Kind
}

// Error names the metric and both kinds.
func (e *MetricKindError) Error() string {
	return "metric " + e.Metric + " is a " + e.Kind.String() + "; samples recorded as a " + e.Used.String() + " are dropped"
}

// batchSize is how many samples a VU keeps before handing them over.
const batchSize = 256

// recorder is a VU's side of the store: samples wait in a small batch
// under a lock only the VU's own goroutines (its code and its App's
// callbacks) take.
type recorder struct {
	mu    sync.Mutex
	batch []Sample
	st    *store
	vu    int
}

func (r *recorder) add(s Sample) {
	s.VU = r.vu
	if s.Time.IsZero() {
		s.Time = time.Now()
	}
	r.mu.Lock()
	r.batch = append(r.batch, s)
	var full []Sample
	if len(r.batch) >= batchSize {
		full, r.batch = r.batch, make([]Sample, 0, batchSize)
	}
	r.mu.Unlock()
	if full != nil {
		r.st.addBatch(full)
	}
}

func (r *recorder) flush() {
	r.mu.Lock()
	b := r.batch
	r.batch = nil
	r.mu.Unlock()
	if len(b) > 0 {
		r.st.addBatch(b)
	}
}

func (r *recorder) count(name string, n float64) {
	r.add(Sample{Metric: name, Kind: Counter, Value: n})
}
func (r *recorder) trend(name string, d time.Duration) {
	r.add(Sample{Metric: name, Kind: Trend, Value: float64(d.Microseconds()) / 1000})
}
func (r *recorder) tagged(name, key, value string, n float64) {
	r.add(Sample{Metric: name, Kind: Counter, Value: n, TagKey: key, TagValue: value})
}
