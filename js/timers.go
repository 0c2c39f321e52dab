package js

import (
	"container/heap"
	"context"
	"math"
	"time"

	"github.com/dop251/goja"
)

// maxDelay is the longest timer delay, in milliseconds: the largest
// signed 32-bit number, as browsers and Node store it. A longer delay
// becomes 1 ms, as in Node.
const maxDelay = math.MaxInt32

// timer is one setTimeout or setInterval.
type timer struct {
	id       int64
	when     time.Time
	seq      uint64 // orders timers due at the same instant by creation
	fn       goja.Callable
	args     []goja.Value
	interval time.Duration // 0 for setTimeout
	index    int           // position in the heap
}

// timers is a min-heap of timers by due time, plus an index by id.
type timers struct {
	heap   timerHeap
	byID   map[int64]*timer
	nextID int64
	seq    uint64
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].when.Equal(h[j].when) {
		return h[i].when.Before(h[j].when)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

func (ts *timers) len() int { return len(ts.heap) }

// count returns the number of intervals (or of one-shot timers).
func (ts *timers) count(intervals bool) int {
	n := 0
	for _, t := range ts.heap {
		if (t.interval > 0) == intervals {
			n++
		}
	}
	return n
}

func (ts *timers) add(t *timer) {
	if ts.byID == nil {
		ts.byID = map[int64]*timer{}
	}
	ts.seq++
	t.seq = ts.seq
	heap.Push(&ts.heap, t)
	ts.byID[t.id] = t
}

func (ts *timers) remove(id int64) {
	t, ok := ts.byID[id]
	if !ok {
		return
	}
	delete(ts.byID, id)
	if t.index >= 0 {
		heap.Remove(&ts.heap, t.index)
	}
}

// next returns when the earliest timer is due.
func (ts *timers) next() (time.Time, bool) {
	if len(ts.heap) == 0 {
		return time.Time{}, false
	}
	return ts.heap[0].when, true
}

func (ts *timers) due(now time.Time) bool {
	return len(ts.heap) > 0 && !ts.heap[0].when.After(now)
}

// runDueTimers runs, one turn each, the timers due at now. Timers that
// the callbacks add are due later (the shortest delay is 1 ms), so this
// ends.
func (r *Runtime) runDueTimers(ctx context.Context, now time.Time) {
	for r.timers.due(now) {
		if ctx.Err() != nil || r.stopped {
			return
		}
		t := heap.Pop(&r.timers.heap).(*timer)
		if t.interval > 0 {
			// Rescheduled before the call, so clearInterval inside the
			// callback removes it.
			t.when = time.Now().Add(t.interval)
			r.timers.seq++
			t.seq = r.timers.seq
			heap.Push(&r.timers.heap, t)
		} else {
			delete(r.timers.byID, t.id)
		}
		r.invoke(t.fn, goja.Undefined(), uncaught, "", t.args...)
		r.afterTurn()
	}
}

func (r *Runtime) installTimers() {
	g := r.vm.GlobalObject()
	_ = g.Set("setTimeout", r.setTimer(false))
	_ = g.Set("setInterval", r.setTimer(true))
	_ = g.Set("clearTimeout", r.clearTimer)
	_ = g.Set("clearInterval", r.clearTimer)
	_ = g.Set("queueMicrotask", r.queueMicrotask)
}

// setTimer returns setTimeout or setInterval. Delays follow Node: a
// missing, negative, NaN or sub-millisecond delay is 1 ms. The id is a
// number, as in browsers and mini-programs.
func (r *Runtime) setTimer(repeat bool) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(r.typeError(`The "callback" argument must be of type function. Received ` + r.describeReceived(call.Argument(0))))
		}
		ms := call.Argument(1).ToFloat()
		if math.IsNaN(ms) || ms < 1 || ms > maxDelay {
			ms = 1
		}
		d := time.Duration(ms * float64(time.Millisecond))
		r.timers.nextID++
		t := &timer{id: r.timers.nextID, when: time.Now().Add(d), fn: fn}
		if len(call.Arguments) > 2 {
			t.args = append([]goja.Value(nil), call.Arguments[2:]...)
		}
		if repeat {
			t.interval = d
		}
		r.timers.add(t)
		return r.vm.ToValue(t.id)
	}
}

func (r *Runtime) clearTimer(call goja.FunctionCall) goja.Value {
	v := call.Argument(0)
	if goja.IsUndefined(v) || goja.IsNull(v) {
		return goja.Undefined()
	}
	r.timers.remove(v.ToInteger())
	return goja.Undefined()
}

// queueMicrotask runs fn as a Promise job: after the current turn's
// synchronous code, before the next event or timer.
func (r *Runtime) queueMicrotask(call goja.FunctionCall) goja.Value {
	fn, ok := goja.AssertFunction(call.Argument(0))
	if !ok {
		panic(r.typeError(`The "callback" argument must be of type function. Received ` + r.describeReceived(call.Argument(0))))
	}
	p, resolve, _ := r.vm.NewPromise()
	then, _ := goja.AssertFunction(r.vm.ToValue(p).ToObject(r.vm).Get("then"))
	job := r.vm.ToValue(func(goja.FunctionCall) goja.Value {
		r.invoke(fn, goja.Undefined(), uncaught, "")
		return goja.Undefined()
	})
	_, _ = then(r.vm.ToValue(p), job)
	_ = resolve(goja.Undefined())
	return goja.Undefined()
}
