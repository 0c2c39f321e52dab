package js

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/unisocket/unisocket/uni"
)

// shutdownTimeout bounds how long Run waits, once the script is over, for
// the close handshakes of sockets the script left open.
const shutdownTimeout = 5 * time.Second

// queue is where other goroutines hand work to the loop. It is the App's
// uni.Executor: every listener and result of the App runs as a turn of the
// loop. Execute never blocks and never drops: a socket's reader must not
// wait on JavaScript, or a slow listener would stall its pongs and close
// frames.
type queue struct {
	mu   sync.Mutex
	jobs []func()
	wake chan struct{} // holds a token while jobs may be waiting
}

func (q *queue) init() { q.wake = make(chan struct{}, 1) }

// Execute queues fn to run on the loop, after every job queued before it.
func (q *queue) Execute(fn func()) {
	q.mu.Lock()
	q.jobs = append(q.jobs, fn)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *queue) take() []func() {
	q.mu.Lock()
	defer q.mu.Unlock()
	jobs := q.jobs
	q.jobs = nil
	return jobs
}

func (q *queue) empty() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.jobs) == 0
}

// runLoop runs jobs and timers, one turn at a time, until nothing is
// pending or ctx ends. Each job or timer callback is one turn: goja runs the
// Promise jobs it queued before returning, and afterTurn reports the
// rejections left unhandled.
func (r *Runtime) runLoop(ctx context.Context) error {
	clock := time.NewTimer(time.Hour)
	clock.Stop()
	defer clock.Stop()
	for {
		if ctx.Err() != nil || r.stopped {
			return r.pendingError(ctx)
		}
		if jobs := r.loop.take(); len(jobs) > 0 {
			for _, job := range jobs {
				if ctx.Err() != nil || r.stopped {
					return r.pendingError(ctx)
				}
				job()
				r.turnPayload = [4]goja.Value{}
				r.afterTurn()
			}
			continue
		}
		if r.timers.due(time.Now()) {
			// Each event is one job (package uni runs the task's and the
			// global listeners together), so a timer never runs between
			// two listeners of one event, as it cannot in a browser.
			r.runDueTimers(ctx, time.Now())
			continue
		}
		if r.idle() && r.loop.empty() {
			// Nothing will be queued any more: every count idle reads
			// drops only on this goroutine, when the job it waits for
			// runs.
			return nil
		}
		var tick <-chan time.Time
		if when, ok := r.timers.next(); ok {
			clock.Reset(time.Until(when))
			tick = clock.C
		}
		select {
		case <-r.loop.wake:
		case <-tick:
		case <-ctx.Done():
		}
	}
}

// idle reports whether the script waits for nothing: no timer, no socket
// with events to come (the App says which: uni.App.Live), no API result.
func (r *Runtime) idle() bool {
	if r.timers.len() > 0 || r.app.Live() > 0 {
		return false
	}
	for _, n := range r.pending {
		if n > 0 {
			return false
		}
	}
	return true
}

// afterTurn ends a turn of the loop: the Promise jobs have run (goja runs
// them when control returns to Go), so a rejection still unhandled now is
// reported, as a browser reports it.
func (r *Runtime) afterTurn() {
	if len(r.rejections) == 0 {
		return
	}
	rejected := r.rejections
	r.rejections = nil
	for _, p := range rejected {
		if p.State() == goja.PromiseStateRejected {
			r.report("Uncaught (in promise) " + r.inspect(p.Result()))
		}
	}
}

// trackRejection is goja's PromiseRejectionTracker.
func (r *Runtime) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		r.rejections = append(r.rejections, p)
	case goja.PromiseRejectionHandle:
		for i, q := range r.rejections {
			if q == p {
				r.rejections = append(r.rejections[:i], r.rejections[i+1:]...)
				break
			}
		}
	}
}

// shutdown closes the sockets the script left open, all at once, and waits
// until their goroutines are done, so that Run leaves nothing running.
func (r *Runtime) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	_ = r.app.Shutdown(ctx)
}

// PendingError is Run's error when its context ended, or the script was
// interrupted, before the script was over. Pending says what was still
// pending, e.g. "1 socket open: wss://www.example.com/socket" or
// "2 timers".
type PendingError struct {
	Err     error // the context's error
	Pending []string
}

// Error says the script was stopped and lists what was pending.
func (e *PendingError) Error() string {
	if len(e.Pending) == 0 {
		return fmt.Sprintf("script stopped (%v)", e.Err)
	}
	return fmt.Sprintf("script stopped (%v) while still pending: %s", e.Err, strings.Join(e.Pending, "; "))
}

// Unwrap returns the context's error, so errors.Is(err,
// context.DeadlineExceeded) works.
func (e *PendingError) Unwrap() error { return e.Err }

// pendingError describes what the script still waited for.
func (r *Runtime) pendingError(ctx context.Context) *PendingError {
	e := &PendingError{Err: ctx.Err()}
	if e.Err == nil {
		e.Err = errInterrupted
	}
	if r.running != "" {
		e.Pending = append(e.Pending, r.running)
	}
	e.Pending = append(e.Pending, r.describeSockets()...)
	if n := r.timers.count(false); n > 0 {
		e.Pending = append(e.Pending, plural(n, "timer", "timers"))
	}
	if n := r.timers.count(true); n > 0 {
		e.Pending = append(e.Pending, plural(n, "interval", "intervals"))
	}
	apis := make([]string, 0, len(r.pending))
	for api, n := range r.pending {
		if n > 0 {
			apis = append(apis, api)
		}
	}
	sort.Strings(apis)
	for _, api := range apis {
		e.Pending = append(e.Pending, fmt.Sprintf("%s waiting for its result", plural(r.pending[api], api+" call", api+" calls")))
	}
	return e
}

// describeSockets groups the live sockets by state: "1 socket open: URL".
func (r *Runtime) describeSockets() []string {
	tasks := r.app.LiveSockets()
	var order []uni.ReadyState
	urls := map[uni.ReadyState][]string{}
	for _, t := range tasks {
		s := t.ReadyState()
		if _, ok := urls[s]; !ok {
			order = append(order, s)
		}
		urls[s] = append(urls[s], t.URL())
	}
	var out []string
	for _, s := range order {
		what := strings.ToLower(s.String())
		if s == uni.StateClosed {
			what = "closed (events not yet delivered)"
		}
		out = append(out, fmt.Sprintf("%s %s: %s", plural(len(urls[s]), "socket", "sockets"), what, groupURLs(urls[s]))) // pendingurls.go
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
