package soak_test

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/unisocket/unisocket/server"
	"github.com/unisocket/unisocket/uni"
)

var (
	soakFlag = flag.Duration("soak", 0,
		"how long TestSoak runs; 0 means 35s (15s under -race, 5s with -short); -soak=10m is the release check")
	seedFlag = flag.Uint64("soak.seed", 0,
		"seed of TestSoak's random choices; 0 means a fresh one, which the test prints")
	connsFlag = flag.Int("soak.conns", 48, "Go clients reconnecting concurrently in TestSoak")
	jsFlag    = flag.Int("soak.js", 2, "JavaScript runtimes in TestSoak, each running a reconnecting uni-app script")
	floodFlag = flag.Int("soak.flood", defaultFloodMessages,
		"most messages the server sends at once in a flood")
	floodSizeFlag = flag.Int("soak.floodsize", defaultFloodSize,
		"most bytes in each flood message (16 to 65535: below the clients' 64 KiB read limit)")
	burstFlag = flag.Int("soak.burst", defaultSlowBurst,
		"most messages a client sends at once to a slow reader or before closing")
)

// soakDuration is how long TestSoak makes new connections.
func soakDuration() time.Duration {
	switch {
	case *soakFlag > 0:
		return *soakFlag
	case testing.Short():
		return 5 * time.Second
	case raceEnabled:
		return 15 * time.Second
	default:
		return 35 * time.Second
	}
}

// goClientsPerApp: Go clients share Apps, as the parts of one program
// share its uni-app instance, so that Executors and registries hold many
// sockets at once.
const goClientsPerApp = 12

// TestSoak runs Go and JavaScript clients that reconnect for the soak's
// length against an embedded server playing faults, and checks that every
// send got exactly one result, no message was duplicated, lost in the
// middle or reordered, every task got exactly one close event, and that
// the heap and goroutines are back at their baseline at the end. See the
// package documentation for the long version.
func TestSoak(t *testing.T) {
	seed := *seedFlag
	if seed == 0 {
		seed = rand.Uint64()
	}
	duration := soakDuration()
	l := loads{flood: *floodFlag, floodSize: *floodSizeFlag, burst: *burstFlag}
	if l.flood < 1 || l.floodSize < minFloodSize || l.floodSize >= soakReadLimit || l.burst < 1 {
		t.Fatalf("-soak.flood must be 1 or more, -soak.floodsize from %d to %d and -soak.burst 1 or more", minFloodSize, soakReadLimit-1)
	}
	if *connsFlag < 0 || *jsFlag < 0 || *connsFlag+*jsFlag == 0 {
		t.Fatalf("-soak.conns and -soak.js must be 0 or more, and not both 0")
	}
	t.Logf("soak: %v, seed %d (-soak.seed=%d replays the same choices), %d Go clients, %d JavaScript runtimes, floods of up to %d × %d B, bursts of up to %d",
		duration, seed, seed, *connsFlag, *jsFlag, l.flood, l.floodSize, l.burst)

	srv, err := server.Start(server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, v := newCounts(), &violations{}
	defer func() {
		// Deferred so that a safety net running out still shows the
		// counts and the invariants broken so far.
		t.Logf("soak: %s", c)
		v.report(t)
	}()
	apps := make([]*uni.App, (*connsFlag+goClientsPerApp-1)/goClientsPerApp)
	for i := range apps {
		apps[i] = uni.NewApp(soakConfig(v))
	}
	heapBefore := heapAfterGC()

	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for i := range *connsFlag {
		w := &goClient{
			id:  fmt.Sprintf("g%d", i),
			app: apps[i%len(apps)],
			rng: rand.New(rand.NewPCG(seed, uint64(i))),
			srv: srv.URL(), l: l, c: c, v: v,
		}
		wg.Go(func() { w.run(deadline) })
	}
	for i := range *jsFlag {
		js := jsClient{id: fmt.Sprintf("js%d", i), seed: seed + uint64(1_000_000+i), srv: srv.URL(), l: l, c: c, v: v}
		wg.Go(func() { js.run(duration) })
	}
	wg.Wait()
	waitQuiet(t, srv, apps...)
	for _, app := range apps {
		if n := len(app.Sockets()); n != 0 {
			v.add("%v: %d sockets still registered after every connection ended", app, n)
		}
	}
	if err := srv.Close(); err != nil {
		t.Error(err)
	}

	// Apps are long-lived in real programs: what they keep of finished
	// connections counts, so they stay alive until the heap is measured.
	heapAfter := heapAfterGC()
	runtime.KeepAlive(apps)
	conns := c.connections.Load()
	growth := int64(heapAfter) - int64(heapBefore)
	t.Logf("soak: heap %+d B after %d connections (%+.1f B per connection)", growth, conns, float64(growth)/float64(max(conns, 1)))
	if limit := soakHeapSlack + retainedPerConn*conns; growth > limit {
		t.Errorf("the heap grew by %d B over the soak's %d connections, want at most %d B (%d B per connection and %d B of caches)",
			growth, conns, limit, retainedPerConn, soakHeapSlack)
	}
	goleak.VerifyNone(t)
}

// soakHeapSlack is heap growth allowed whatever the number of connections:
// what the first connections and scripts initialise once (pools, caches,
// lazily built tables).
const soakHeapSlack = 2 << 20

// soakConfig is the configuration of the soak's Apps, Go and JavaScript.
func soakConfig(v *violations) uni.Config {
	return uni.Config{
		ReadLimit:    soakReadLimit,
		CloseTimeout: soakCloseTimeout,
		DialContext:  dialNoTimeWait,
		ErrorLog:     log.New(v, "", 0),
	}
}

// A goClient makes one connection after another until the deadline, each
// with a plan drawn from its own random source.
type goClient struct {
	id  string
	app *uni.App
	rng *rand.Rand
	srv string
	l   loads
	c   *counts
	v   *violations
}

func (w *goClient) run(deadline time.Time) {
	for n := 0; time.Now().Before(deadline); n++ {
		p := newPlan(w.rng, w.l)
		w.c.connections.Add(1)
		w.c.ran(p.sc.String())
		id := fmt.Sprintf("%s.%d", w.id, n)
		if p.sc == scGoForm {
			w.goForm(id, p)
			continue
		}
		if !w.callbacks(id, p) {
			return // the safety net ran out: stop, the failure is recorded
		}
	}
}

// callbacks makes one connection with the uni-app API: ConnectSocket,
// listeners, Send and Close with result callbacks. It reports false when a
// wait ran out of the safety net.
func (w *goClient) callbacks(id string, p plan) bool {
	l := newLedger(id, p, w.c, w.v)
	var task *uni.SocketTask
	w.app.Run(func() {
		task = w.app.ConnectSocket(uni.ConnectSocketOptions{
			URL: p.URL(w.srv), Timeout: p.timeout,
			Fail: func(res uni.GeneralCallbackResult) { w.v.add("%s: connectSocket failed: %s", l, res.ErrMsg) },
		})
		l.watch(task)
	})
	// giveUp ends a connection whose wait ran out of the safety net, so
	// that the test can still end and report it.
	giveUp := func(what string) bool {
		w.v.add("%s: %s within the safety net", l, what)
		task.Abort()
		return false
	}
	if !l.waitFor(func() bool { return l.opens > 0 || l.closes > 0 }) {
		return giveUp("neither open nor close")
	}
	closed := func() bool { return l.closes > 0 }
	if l.opens > 0 {
		if !w.play(task, l, closed) {
			return giveUp("no progress")
		}
	}
	if !l.waitFor(closed) {
		return giveUp("no close event")
	}
	if !l.waitFor(func() bool { return l.nResults == l.sent && l.nComplete == l.sent && l.closeDone == l.closeCalls }) {
		w.v.add("%s: results still missing after the safety net", l)
	}
	l.check()
	return true
}

// play runs the plan on an open task.
func (w *goClient) play(task *uni.SocketTask, l *ledger, closed func() bool) bool {
	p := l.plan
	// sendWindowed sends n messages, at most p.window of them unechoed,
	// and stops early when the socket closes (after one send more, whose
	// result must then be a fail).
	sendWindowed := func(n int) bool {
		for range n {
			if !l.waitFor(func() bool { return closed() || l.sent-l.echoed < p.window }) {
				return false
			}
			l.send(task)
			l.mu.Lock()
			over := l.closes > 0
			l.mu.Unlock()
			if over {
				return true
			}
		}
		return true
	}
	echoedAll := func() bool { return closed() || l.echoed == l.sent }
	switch p.sc {
	case scEcho, scDelay:
		if !sendWindowed(p.sends) || !l.waitFor(echoedAll) {
			return false
		}
		l.close(task)
	case scServerClose, scDrop, scReset:
		return sendWindowed(p.sends)
	case scStall:
		if !sendWindowed(p.sends) || !l.waitFor(func() bool { return closed() || l.echoed >= p.after }) {
			return false
		}
		l.close(task) // the server never answers: the close times out
	case scFlood:
		if !l.waitFor(func() bool { return closed() || l.flood == p.flood }) ||
			!sendWindowed(p.sends) || !l.waitFor(echoedAll) {
			return false
		}
		l.close(task)
	case scSlow:
		for range p.sends {
			l.send(task)
		}
		if !l.waitFor(echoedAll) {
			return false
		}
		l.close(task)
	case scOverLimit:
		// The server's one message fails the connection.
	case scAbort:
		if !sendWindowed(p.sends) {
			return false
		}
		for range p.window {
			l.send(task)
		}
		task.Abort()
		l.send(task)
	case scCloseInFlight:
		for range p.sends {
			l.send(task)
		}
		l.close(task)
		for range 3 {
			l.send(task)
		}
	}
	return true
}

// goForm makes one connection with the Go form: Dial, Write, Receive and
// Shutdown, checking the same order of echoes.
func (w *goClient) goForm(id string, p plan) {
	ctx, cancel := withSafetyNet()
	defer cancel()
	task, err := w.app.Dial(ctx, uni.ConnectSocketOptions{URL: p.URL(w.srv)})
	if err != nil {
		w.v.add("%s: Dial: %v", id, err)
		return
	}
	w.c.opened.Add(1)
	for seq := 1; seq <= p.sends; seq++ {
		w.c.sends.Add(1)
		if err := task.Write(ctx, payload(id, seq)); err != nil {
			w.c.sendFail.Add(1)
			w.v.add("%s: Write %d: %v", id, seq, err)
			break
		}
		w.c.sendOK.Add(1)
		msg, err := task.Receive(ctx)
		if err != nil {
			w.v.add("%s: Receive %d: %v", id, seq, err)
			break
		}
		if got, _ := msg.Data.(string); got != payload(id, seq) {
			w.v.add("%s: echo %.40q, want %q", id, got, payload(id, seq))
			break
		}
		w.c.echoes.Add(1)
	}
	err = task.Shutdown(ctx, p.code, p.reason)
	var ce *uni.CloseError
	switch {
	case err == nil:
		w.c.closedWith(p.code)
	case errors.As(err, &ce) && ce.Code == 1006 && strings.Contains(ce.Error(), "did not answer the close frame"):
		// A close cut by the close timeout on a loaded machine.
		w.c.closedWith(ce.Code)
	default:
		w.v.add("%s: Shutdown(%d, %q): %v", id, p.code, p.reason, err)
	}
	w.c.closes.Add(1)
	w.c.closeCalls.Add(1)
	select {
	case <-task.Done():
	case <-ctx.Done():
		w.v.add("%s: not done after Shutdown", id)
	}
}
