package load

import (
	"math"
	"time"
)

// forever stands for "until the test is stopped" where a schedule has no
// end of its own (an iteration test without a duration).
const forever = time.Duration(math.MaxInt64)

// Plan is the schedule of one segment: which VUs run when, and which
// iterations it owns. Plans are pure functions of the Options, so that the
// plans of N segments can be checked against the single process's.
type Plan struct {
	// VUs are the segment's VUs, each with the stretches it is active.
	VUs []PlannedVU
	// Arrivals are the start times, from the test's start, of the
	// iterations an arrival-rate test starts in this segment, with their
	// numbers (0-based, over the whole test).
	Arrivals []Arrival
	// Iterations are the numbers of the iterations an iteration test
	// runs in this segment.
	Iterations []int
	// End is when the schedule stops starting iterations (forever when
	// only the iterations end it).
	End time.Duration
}

// PlannedVU is one VU of a plan: its number (1-based, over the whole
// test) and the stretches it runs iterations.
type PlannedVU struct {
	ID     int
	Active []Window
}

// Window is a stretch of time counted from the test's start.
type Window struct {
	Start, End time.Duration
}

// Arrival is one iteration an arrival-rate test starts.
type Arrival struct {
	N  int
	At time.Duration
}

// PlanFor returns the schedule the options ask of their segment.
func PlanFor(o Options) (Plan, error) {
	o, err := o.check()
	if err != nil {
		return Plan{}, err
	}
	seg := o.Segment.norm()
	var p Plan
	switch o.mode() {
	case modeConstant:
		p.End = o.Duration
		for j := 0; j < o.VUs; j++ {
			if seg.owns(j) {
				p.VUs = append(p.VUs, PlannedVU{ID: j + 1, Active: []Window{{0, o.Duration}}})
			}
		}
	case modeStages:
		peak := 0
		for _, s := range o.Stages {
			p.End += s.Duration
			peak = max(peak, s.Target)
		}
		for j := 0; j < peak; j++ {
			if seg.owns(j) {
				if w := stageWindows(o.Stages, j); len(w) > 0 {
					p.VUs = append(p.VUs, PlannedVU{ID: j + 1, Active: w})
				}
			}
		}
	case modeRate:
		p.End = o.Duration
		p.VUs = poolVUs(o.VUs, seg, o.Duration)
		for k := 0; ; k++ {
			at := time.Duration(float64(k) / o.Rate * float64(time.Second))
			if at >= o.Duration {
				break
			}
			if seg.owns(k) {
				p.Arrivals = append(p.Arrivals, Arrival{N: k, At: at})
			}
		}
	case modeIterations:
		p.End = forever
		if o.Duration > 0 {
			p.End = o.Duration
		}
		p.VUs = poolVUs(o.VUs, seg, p.End)
		for k := 0; k < o.Iterations; k++ {
			if seg.owns(k) {
				p.Iterations = append(p.Iterations, k)
			}
		}
	}
	return p, nil
}

// poolVUs are the segment's share of n VUs that serve iterations handed
// out to them. A segment whose share is empty (fewer VUs than segments)
// still gets one VU, numbered past n, so its iterations can run.
func poolVUs(n int, seg Segment, end time.Duration) []PlannedVU {
	var vus []PlannedVU
	for j := 0; j < n; j++ {
		if seg.owns(j) {
			vus = append(vus, PlannedVU{ID: j + 1, Active: []Window{{0, end}}})
		}
	}
	if len(vus) == 0 {
		vus = append(vus, PlannedVU{ID: seg.I, Active: []Window{{0, end}}})
	}
	return vus
}

// stageWindows returns when the j-th (0-based) VU is active under ramping
// stages: while the target, interpolated linearly within each stage, is
// at least j+1.
func stageWindows(stages []Stage, j int) []Window {
	level := int64(j + 1)
	var (
		out    []Window
		active bool
		since  time.Duration
		t0     time.Duration
		from   int64
	)
	set := func(on bool, at time.Duration) {
		if on == active {
			return
		}
		if on {
			since = at
		} else if at > since {
			out = append(out, Window{since, at})
		}
		active = on
	}
	for _, s := range stages {
		to := int64(s.Target)
		d := int64(s.Duration)
		switch {
		case d == 0:
			set(to >= level, t0)
		case from < level && to >= level:
			set(true, t0+time.Duration(d*(level-from)/(to-from)))
		case from >= level && to < level:
			set(false, t0+time.Duration(d*(from-level)/(from-to)))
		default:
			set(from >= level, t0)
		}
		t0 += s.Duration
		from = to
	}
	set(false, t0)
	return out
}
