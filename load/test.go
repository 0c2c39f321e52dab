package load

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/unisocket/unisocket/uni"
)

// Test is one load test: its schedule, its VUs and their metrics. Run it
// once.
type Test struct {
	opts     Options
	plan     Plan
	scenario Scenario
	st       *store
	eng      *recorder // the engine's own samples: vus, dropped_iterations
	live     live

	start time.Time

	stopOnce sync.Once
	stopping chan struct{} // closed by Stop: start no more iterations
	grace    context.Context
	endGrace context.CancelFunc
	hard     context.Context
	abort    context.CancelFunc

	gaugeMu sync.Mutex
	mu      sync.Mutex
	vus     []*VU
	errSeen map[string]bool
}

// live are the counters of the progress line, updated as events happen.
type live struct {
	vus, open, sent, received, errors, iterations atomic.Int64
}

// Progress is a live view of a running test.
type Progress struct {
	Elapsed      time.Duration
	VUs          int64 // running an iteration or waiting for the next
	OpenSockets  int64
	MsgsSent     int64
	MsgsReceived int64
	Errors       int64 // uni_errors so far
	Iterations   int64
}

// Results are what a test measured and the verdict of its thresholds.
type Results struct {
	Summary *Summary
	// Stopped says the test was stopped (Stop, Abort or the context)
	// before its schedule ended.
	Stopped bool
}

// Passed reports whether every threshold passed.
func (r *Results) Passed() bool {
	for _, t := range r.Summary.Thresholds {
		if !t.OK {
			return false
		}
	}
	return true
}

// New checks the options and prepares a test of scenario.
func New(opts Options, scenario Scenario) (*Test, error) {
	if scenario == nil {
		return nil, errNoScenario
	}
	o, err := opts.check()
	if err != nil {
		return nil, err
	}
	plan, err := PlanFor(o)
	if err != nil {
		return nil, err
	}
	t := &Test{opts: o, plan: plan, scenario: scenario, stopping: make(chan struct{}), errSeen: map[string]bool{}}
	t.hard, t.abort = context.WithCancel(context.Background())
	t.grace, t.endGrace = context.WithCancel(t.hard)
	t.st = newStore(o.Samples, o.Warn)
	t.eng = &recorder{st: t.st}
	return t, nil
}

// Stop ends the test gracefully: no iteration starts any more, and those
// running get Options.GracefulStop to end before their context is
// cancelled. It may be called more than once, from any goroutine.
func (t *Test) Stop() {
	t.stopOnce.Do(func() {
		close(t.stopping)
		time.AfterFunc(t.opts.GracefulStop, t.endGrace)
	})
}

// Abort ends the test at once: every running iteration's context is
// cancelled. The summary of what was measured is still made.
func (t *Test) Abort() {
	t.Stop()
	t.abort()
}

// Progress returns the live counters.
func (t *Test) Progress() Progress {
	var el time.Duration
	t.mu.Lock()
	if !t.start.IsZero() {
		el = time.Since(t.start)
	}
	t.mu.Unlock()
	return Progress{
		Elapsed: el, VUs: t.live.vus.Load(), OpenSockets: t.live.open.Load(),
		MsgsSent: t.live.sent.Load(), MsgsReceived: t.live.received.Load(),
		Errors: t.live.errors.Load(), Iterations: t.live.iterations.Load(),
	}
}

// Run runs the test to the end of its schedule, or until Stop, Abort or
// the end of ctx (which stops it gracefully), and returns the results.
func (t *Test) Run(ctx context.Context) *Results {
	// Locked for Progress; the goroutines started below see it anyway.
	t.mu.Lock()
	t.start = time.Now()
	t.mu.Unlock()
	defer context.AfterFunc(ctx, t.Stop)()
	stopFlush := t.flushEvery(time.Second)

	var wg sync.WaitGroup
	switch t.opts.mode() {
	case modeConstant, modeStages:
		for _, p := range t.plan.VUs {
			wg.Go(func() {
				vu := t.newVU(p.ID)
				defer t.retire(vu)
				for _, w := range p.Active {
					if !t.waitUntil(w.Start) {
						return
					}
					t.active(1)
					for t.running(w.End) {
						t.iterate(vu, w.End)
					}
					t.active(-1)
				}
			})
		}
	case modeIterations:
		var next atomic.Int64
		for _, p := range t.plan.VUs {
			wg.Go(func() {
				vu := t.newVU(p.ID)
				defer t.retire(vu)
				t.active(1)
				defer t.active(-1)
				for t.running(t.plan.End) && next.Add(1) <= int64(len(t.plan.Iterations)) {
					t.iterate(vu, t.plan.End)
				}
			})
		}
	case modeRate:
		pool := make(chan *VU, len(t.plan.VUs))
		for _, p := range t.plan.VUs {
			pool <- t.newVU(p.ID)
		}
		for _, a := range t.plan.Arrivals {
			if !t.waitUntil(a.At) {
				break
			}
			select {
			case vu := <-pool:
				wg.Go(func() {
					t.active(1)
					t.iterate(vu, t.plan.End)
					t.active(-1)
					pool <- vu
				})
			default:
				t.eng.count(MetricDropped, 1)
			}
		}
		wg.Wait()
		close(pool)
		for vu := range pool {
			t.retire(vu)
		}
	}
	wg.Wait()
	stopped := false
	select {
	case <-t.stopping:
		stopped = true
	default:
	}
	t.Stop()
	t.endGrace()
	t.abort()
	stopFlush()
	t.eng.flush()
	t.mu.Lock()
	for _, vu := range t.vus {
		vu.rec.flush()
	}
	t.mu.Unlock()

	t.st.mu.Lock()
	sum := summarize(t.st.aggs, time.Since(t.start), t.opts.Segment.norm())
	t.st.mu.Unlock()
	for _, th := range t.opts.Thresholds {
		sum.Thresholds = append(sum.Thresholds, th.Check(sum))
	}
	return &Results{Summary: sum, Stopped: stopped}
}

// flushEvery hands the VUs' samples to the store every period, so the
// NDJSON output streams, until the returned function is called.
func (t *Test) flushEvery(period time.Duration) (stop func()) {
	return every(period, t.flushVUs)
}

// every calls fn every period on a goroutine of its own until the
// returned function is called; that function returns once the goroutine
// has ended, so fn never runs after it.
func every(period time.Duration, fn func()) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				fn()
			}
		}
	}()
	return func() { close(done); <-finished }
}

// flushVUs hands every VU's waiting samples to the store.
func (t *Test) flushVUs() {
	t.mu.Lock()
	vus := append([]*VU(nil), t.vus...)
	t.mu.Unlock()
	for _, vu := range vus {
		vu.rec.flush()
	}
	t.eng.flush()
}

// running reports whether a VU whose window ends at end may start another
// iteration.
func (t *Test) running(end time.Duration) bool {
	select {
	case <-t.stopping:
		return false
	default:
	}
	return end == forever || time.Since(t.start) < end
}

// waitUntil waits until the test has run for d; false when it was
// stopped first.
func (t *Test) waitUntil(d time.Duration) bool {
	wait := time.Until(t.start.Add(d))
	if wait <= 0 {
		select {
		case <-t.stopping:
			return false
		default:
			return true
		}
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-t.stopping:
		return false
	}
}

// active changes the number of active VUs. The lock keeps the gauge's
// samples in the order of its values, so its last sample is its value.
func (t *Test) active(n int64) {
	t.gaugeMu.Lock()
	defer t.gaugeMu.Unlock()
	v := t.live.vus.Add(n)
	t.eng.add(Sample{Metric: MetricVUs, Kind: Gauge, Value: float64(v)})
}

func (t *Test) newVU(id int) *VU {
	rec := &recorder{st: t.st, vu: id}
	cfg := t.opts.Config
	conns := &connSet{rec: rec}
	cfg.DialContext = countingDial(cfg.DialContext, conns)
	app := uni.NewApp(cfg)
	vu := &VU{ID: id, App: app, cfg: cfg, rec: rec, conns: conns, t: t, profile: app.Profile()}
	t.mu.Lock()
	t.vus = append(t.vus, vu)
	t.eng.add(Sample{Metric: MetricVUsMax, Kind: Gauge, Value: float64(len(t.vus))})
	t.mu.Unlock()
	return vu
}

// retire closes what the VU's App still has open, waits for its
// callbacks, and hands its samples over.
func (t *Test) retire(vu *VU) {
	ctx, cancel := context.WithTimeout(t.hardOrBackground(), 10*time.Second)
	defer cancel()
	for _, task := range vu.App.Sockets() {
		if task.Shutdown(ctx, 1000, "") != nil && ctx.Err() != nil {
			task.Abort()
		}
		<-task.Done()
	}
	<-vu.App.Idle()
	vu.conns.reportAll()
	vu.rec.flush()
}

// hardOrBackground is a context for closing sockets at the end of a VU:
// the hard stop's while it has not happened, else a fresh one so a
// graceful close is still tried.
func (t *Test) hardOrBackground() context.Context {
	if t.hard.Err() != nil {
		return context.Background()
	}
	return t.hard
}

// iterate runs one iteration of the scenario on vu. end is when the VU's
// window ends; the iteration's context ends GracefulStop after it, or
// after Stop.
func (t *Test) iterate(vu *VU, end time.Duration) {
	ctx, cancel := t.grace, context.CancelFunc(func() {})
	if end != forever {
		ctx, cancel = context.WithDeadline(t.grace, t.start.Add(end+t.opts.GracefulStop))
	}
	defer cancel()
	began := time.Now()
	err := t.call(ctx, vu)
	switch {
	case ctx.Err() != nil:
		vu.rec.count(MetricInterrupted, 1)
	default:
		vu.rec.count(MetricIterations, 1)
		vu.rec.trend(MetricIterationDur, time.Since(began))
		t.live.iterations.Add(1)
		if err != nil {
			msg := firstLine(err.Error())
			vu.rec.tagged(MetricIterationErrors, "error", msg, 1)
			t.reportOnce(vu, msg, err)
		}
	}
	vu.Iteration++
}

// call runs the scenario, turning a panic into the iteration's error so
// one VU cannot end the test.
func (t *Test) call(ctx context.Context, vu *VU) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return t.scenario(ctx, vu)
}

// reportOnce passes each distinct iteration error to Options.IterationError
// once.
func (t *Test) reportOnce(vu *VU, key string, err error) {
	if t.opts.IterationError == nil {
		return
	}
	t.mu.Lock()
	seen := t.errSeen[key]
	t.errSeen[key] = true
	t.mu.Unlock()
	if !seen {
		t.opts.IterationError(vu.ID, err)
	}
}

// firstLine keeps an error's first line, at most 200 bytes, as the
// iteration_errors tag.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

var errNoScenario = errors.New("load: no scenario")
