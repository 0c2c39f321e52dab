package load

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/unisocket/unisocket/uni"
)

// Options configure a Test. Exactly one way of scheduling applies:
// Iterations when it is positive (shared by VUs, bounded by Duration when
// given), else Rate when it is positive (arrival rate for Duration, on at
// most VUs VUs), else Stages when given (ramping VUs), else VUs for
// Duration.
type Options struct {
	// VUs is the number of virtual users: the constant number for
	// Duration, the VUs sharing Iterations, or the most an arrival rate
	// may use at once. 0 means 1.
	VUs int
	// Duration is how long a constant-VU or arrival-rate test runs; for
	// an iteration test it bounds the whole test (0: no bound).
	Duration time.Duration
	// Stages ramp the number of VUs linearly from the previous stage's
	// target (0 at the start) to each stage's target over its duration.
	Stages []Stage
	// Rate, when positive, starts this many iterations per second, each
	// on a free VU; when none is free the iteration is dropped and
	// counted in dropped_iterations, as k6's constant-arrival-rate does.
	Rate float64
	// Iterations, when positive, is the number of iterations to run in
	// all, shared by the VUs: each VU takes the next one when it is free.
	Iterations int
	// Segment runs one deterministic slice of the schedule; the zero
	// value is the whole of it.
	Segment Segment
	// GracefulStop is how long running iterations may go on once the
	// schedule ends, a stage ramps their VU down, or Test.Stop is called;
	// after it their context is cancelled. 0 means 30 s, as k6's.
	GracefulStop time.Duration

	// Config configures every VU's uni.App (profile, timeouts, TLS,
	// resolving); its DialContext, when set, is wrapped, not replaced.
	Config uni.Config

	// Thresholds are checked against the summary at the end.
	Thresholds []Threshold
	// Samples, when set, receives every sample as it is taken: see
	// NDJSON.
	Samples SampleWriter
	// IterationError, when set, is told of each distinct error an
	// iteration returned, once, with the number of the VU it came from.
	IterationError func(vu int, err error)
	// Warn, when set, receives problems that do not stop the test: a
	// sample writer that failed, a metric recorded as two kinds.
	Warn func(error)
}

// DefaultGracefulStop is GracefulStop's default, as k6's.
const DefaultGracefulStop = 30 * time.Second

// Stage is one step of a ramping schedule: reach Target VUs over Duration.
type Stage struct {
	Duration time.Duration
	Target   int
}

// String writes the stage as ParseStage reads it.
func (s Stage) String() string { return s.Duration.String() + ":" + strconv.Itoa(s.Target) }

// ParseStage reads "DURATION:TARGET", e.g. "30s:1000".
func ParseStage(s string) (Stage, error) {
	d, t, ok := strings.Cut(s, ":")
	if !ok {
		return Stage{}, &OptionError{Option: "stage", Value: s, Reason: "want DURATION:VUS, e.g. 30s:100"}
	}
	dur, err := time.ParseDuration(d)
	if err != nil || dur < 0 {
		return Stage{}, &OptionError{Option: "stage", Value: s, Reason: fmt.Sprintf("%q is not a duration such as 30s or 2m", d)}
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 {
		return Stage{}, &OptionError{Option: "stage", Value: s, Reason: fmt.Sprintf("%q is not a number of VUs (0 or more)", t)}
	}
	return Stage{Duration: dur, Target: n}, nil
}

// Segment is the I-th of N slices of a schedule (1 ≤ I ≤ N). Slice I
// holds the VUs and the iterations whose 0-based number k has
// k mod N = I-1, so the N slices are disjoint and together are the whole
// schedule, with every VU and iteration keeping its number. The zero
// value is the whole schedule.
type Segment struct {
	I, N int
}

// ParseSegment reads "I/N", e.g. "2/4".
func ParseSegment(s string) (Segment, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Segment{}, &OptionError{Option: "segment", Value: s, Reason: "want I/N with 1 ≤ I ≤ N, e.g. 2/4"}
	}
	return Segment{I: i, N: n}, nil
}

// String writes the segment as ParseSegment reads it.
func (s Segment) String() string {
	s = s.norm()
	return strconv.Itoa(s.I) + "/" + strconv.Itoa(s.N)
}

func (s Segment) norm() Segment {
	if s.N == 0 {
		return Segment{I: 1, N: 1}
	}
	return s
}

// owns reports whether the slice holds the k-th (0-based) VU or
// iteration.
func (s Segment) owns(k int) bool {
	s = s.norm()
	return k%s.N == s.I-1
}

// OptionError is an option whose value cannot be used.
type OptionError struct {
	Option string // the option's name, as the command line spells it
	Value  string
	Reason string
}

// Error names the option, its value and what is wrong with it.
func (e *OptionError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("--%s: %s", e.Option, e.Reason)
	}
	return fmt.Sprintf("--%s %s: %s", e.Option, e.Value, e.Reason)
}

// mode is the way a test is scheduled.
type mode int

const (
	modeConstant mode = iota
	modeStages
	modeRate
	modeIterations
)

func (o Options) mode() mode {
	switch {
	case o.Iterations > 0:
		return modeIterations
	case o.Rate > 0:
		return modeRate
	case len(o.Stages) > 0:
		return modeStages
	}
	return modeConstant
}

// check validates the options and fills in defaults.
func (o Options) check() (Options, error) {
	if o.VUs < 0 {
		return o, &OptionError{Option: "vus", Value: strconv.Itoa(o.VUs), Reason: "must be 1 or more"}
	}
	if o.VUs == 0 {
		o.VUs = 1
	}
	if o.Duration < 0 {
		return o, &OptionError{Option: "duration", Value: o.Duration.String(), Reason: "must not be negative"}
	}
	if o.Rate < 0 {
		return o, &OptionError{Option: "rate", Value: strconv.FormatFloat(o.Rate, 'g', -1, 64), Reason: "must not be negative"}
	}
	if o.Iterations < 0 {
		return o, &OptionError{Option: "iterations", Value: strconv.Itoa(o.Iterations), Reason: "must not be negative"}
	}
	if s := o.Segment; s != (Segment{}) && (s.N < 1 || s.I < 1 || s.I > s.N) {
		return o, &OptionError{Option: "segment", Value: fmt.Sprintf("%d/%d", s.I, s.N), Reason: "want I/N with 1 ≤ I ≤ N"}
	}
	if o.GracefulStop < 0 {
		return o, &OptionError{Option: "graceful-stop", Value: o.GracefulStop.String(), Reason: "must not be negative"}
	}
	if o.GracefulStop == 0 {
		o.GracefulStop = DefaultGracefulStop
	}
	switch o.mode() {
	case modeConstant, modeRate:
		if o.Duration == 0 {
			return o, &OptionError{Option: "duration", Reason: "a duration is needed (e.g. --duration 30s), or --iterations or --stage"}
		}
	case modeStages:
		for _, s := range o.Stages {
			if s.Target < 0 || s.Duration < 0 {
				return o, &OptionError{Option: "stage", Value: s.String(), Reason: "durations and targets must not be negative"}
			}
		}
	}
	return o, nil
}
