package soak_test

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unisocket/unisocket/platform"
	"github.com/unisocket/unisocket/uni"
)

// counts are the soak's totals, printed at its end.
type counts struct {
	connections, opened, sends, sendOK, sendFail, echoes, floodMsgs atomic.Int64
	closes, errors, closeCalls                                      atomic.Int64

	mu        sync.Mutex
	codes     map[int]int64
	scenarios map[string]int64
}

func newCounts() *counts { return &counts{codes: map[int]int64{}, scenarios: map[string]int64{}} }

func (c *counts) closedWith(code int) {
	c.mu.Lock()
	c.codes[code]++
	c.mu.Unlock()
}

func (c *counts) ran(name string) {
	c.mu.Lock()
	c.scenarios[name]++
	c.mu.Unlock()
}

// add adds the totals a JavaScript client reported.
func (c *counts) add(js jsReport) {
	c.connections.Add(js.Connections)
	c.opened.Add(js.Opened)
	c.sends.Add(js.Sends)
	c.sendOK.Add(js.SendOK)
	c.sendFail.Add(js.SendFail)
	c.echoes.Add(js.Echoes)
	c.floodMsgs.Add(js.Flood)
	c.closes.Add(js.Closes)
	c.errors.Add(js.Errors)
	c.closeCalls.Add(js.CloseCalls)
	c.mu.Lock()
	for code, n := range js.Codes {
		if k, err := strconv.Atoi(code); err == nil {
			c.codes[k] += n
		}
	}
	for name, n := range js.Scenarios {
		c.scenarios["js "+name] += n
	}
	c.mu.Unlock()
}

func (c *counts) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sb strings.Builder
	fmt.Fprintf(&sb, "connections %d (opened %d), sends %d (ok %d, fail %d), echoes %d, flood messages %d, close calls %d, close events %d, error events %d\n",
		c.connections.Load(), c.opened.Load(), c.sends.Load(), c.sendOK.Load(), c.sendFail.Load(),
		c.echoes.Load(), c.floodMsgs.Load(), c.closeCalls.Load(), c.closes.Load(), c.errors.Load())
	sb.WriteString("close codes:")
	var private int64 // 3000-4999, drawn at random
	for _, code := range slices.Sorted(maps.Keys(c.codes)) {
		if code >= 3000 && code <= 4999 {
			private += c.codes[code]
			continue
		}
		fmt.Fprintf(&sb, " %d×%d", code, c.codes[code])
	}
	fmt.Fprintf(&sb, " 3000-4999×%d", private)
	sb.WriteString("\nscenarios:")
	for _, name := range slices.Sorted(maps.Keys(c.scenarios)) {
		fmt.Fprintf(&sb, " %s×%d", name, c.scenarios[name])
	}
	return sb.String()
}

// violations collects broken invariants from every goroutine.
type violations struct {
	mu    sync.Mutex
	n     int
	first []string
}

const keptViolations = 30

func (v *violations) add(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.n++
	if len(v.first) < keptViolations {
		v.first = append(v.first, fmt.Sprintf(format, args...))
	}
}

// report fails t if any invariant broke.
func (v *violations) report(t *testing.T) {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.n > 0 {
		t.Errorf("%d invariant violations; the first %d:\n  %s", v.n, len(v.first), strings.Join(v.first, "\n  "))
	}
}

// Write makes violations an io.Writer for an App's ErrorLog: the soak's
// listeners never panic and its options are all valid, so any line an App
// logs is a violation.
func (v *violations) Write(p []byte) (int, error) {
	v.add("an App logged: %s", strings.TrimSpace(string(p)))
	return len(p), nil
}

// Results of one send, as the ledger records them.
const (
	noResult uint8 = iota
	resultOK
	resultFail
)

// A ledger is one callback-driven connection's record: the listeners and
// result callbacks write it on the App's Executor, the worker reads it.
// A callback that breaks an invariant (a second close event, a second
// result) reports it at once, whenever it runs.
type ledger struct {
	id   string
	plan plan
	c    *counts
	v    *violations

	nViolations atomic.Int32 // those of this connection, of which the first few are kept

	changed chan struct{} // a token after every change

	mu         sync.Mutex
	opens      int
	closes     int
	errs       int
	closeCode  int
	closeWhy   string
	errMsg     string
	sent       int
	results    []uint8 // by sequence number - 1
	nResults   int
	nComplete  int
	echoed     int // the last sequence number echoed; echoes come 1, 2, 3...
	flood      int // the last "message K" received
	closeCalls int
	closeDone  int
}

func newLedger(id string, p plan, c *counts, v *violations) *ledger {
	return &ledger{id: id, plan: p, c: c, v: v, changed: make(chan struct{}, 1)}
}

// violate records a broken invariant of this connection; after the first
// few, only the count goes up, so one bad connection cannot hide others.
func (l *ledger) violate(format string, args ...any) {
	if l.nViolations.Add(1) > 3 {
		l.v.mu.Lock()
		l.v.n++
		l.v.mu.Unlock()
		return
	}
	l.v.add(format, args...)
}

func (l *ledger) signal() {
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// watch adds the ledger's listeners to task.
func (l *ledger) watch(task *uni.SocketTask) {
	task.OnOpen(func(uni.OnOpenResult) {
		l.mu.Lock()
		l.opens++
		n := l.opens
		l.mu.Unlock()
		l.c.opened.Add(1)
		if n > 1 {
			l.violate("%s: open event %d", l, n)
		}
		l.signal()
	})
	task.OnMessage(func(res uni.OnMessageResult) {
		l.message(res.Data)
		l.signal()
	})
	task.OnError(func(res uni.OnErrorResult) {
		l.mu.Lock()
		l.errs++
		n := l.errs
		l.errMsg = res.ErrMsg
		l.mu.Unlock()
		l.c.errors.Add(1)
		if n > 1 {
			l.violate("%s: error event %d: %s", l, n, res.ErrMsg)
		}
		l.signal()
	})
	task.OnClose(func(res uni.OnCloseResult) {
		l.mu.Lock()
		l.closes++
		n := l.closes
		l.closeCode, l.closeWhy = res.Code, res.Reason
		l.mu.Unlock()
		l.c.closes.Add(1)
		l.c.closedWith(res.Code)
		if n > 1 {
			l.violate("%s: close event %d (%d %q)", l, n, res.Code, res.Reason)
		}
		l.signal()
	})
}

// message checks one received message: the server's flood comes first,
// "message 1", "message 2"..., then the echoes of this connection's
// messages in the order they were sent, none missing in between.
func (l *ledger) message(data any) {
	var text string
	switch d := data.(type) {
	case string:
		text = d
		if l.plan.binary && strings.HasPrefix(text, l.id+":") {
			l.violate("%s: a binary message came back as text", l)
		}
	case []byte:
		text = string(d)
		if !l.plan.binary {
			l.violate("%s: a text message came back as binary", l)
		}
	default:
		l.violate("%s: message of type %T", l, data)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if rest, ok := strings.CutPrefix(text, "message "); ok {
		num, _, _ := strings.Cut(rest, " ")
		k, err := strconv.Atoi(num)
		switch {
		case err != nil:
			l.violate("%s: unreadable server message %.40q", l, text)
		case l.echoed > 0:
			l.violate("%s: server message %d after echo %d", l, k, l.echoed)
		case k != l.flood+1:
			l.violate("%s: server message %d after %d: duplicated, lost or reordered", l, k, l.flood)
		}
		l.flood = k
		l.c.floodMsgs.Add(1)
		return
	}
	seq, ok := parseEcho(text, l.id)
	switch {
	case !ok:
		l.violate("%s: a message that is neither an echo of ours nor the server's: %.40q", l, text)
		return
	case seq != l.echoed+1:
		l.violate("%s: echo %d after echo %d: duplicated, lost or reordered", l, seq, l.echoed)
	case seq > l.sent:
		l.violate("%s: echo %d of a message not sent yet (sent %d)", l, seq, l.sent)
	}
	l.echoed = seq
	l.c.echoes.Add(1)
}

// payload is message seq of connection id.
func payload(id string, seq int) string { return id + ":" + strconv.Itoa(seq) }

// parseEcho reads a payload of connection id.
func parseEcho(text, id string) (int, bool) {
	rest, ok := strings.CutPrefix(text, id+":")
	if !ok {
		return 0, false
	}
	seq, err := strconv.Atoi(rest)
	return seq, err == nil
}

// send sends the next message with result callbacks that check that it
// gets exactly one result and one complete.
func (l *ledger) send(task *uni.SocketTask) {
	l.mu.Lock()
	l.sent++
	seq := l.sent
	l.results = append(l.results, noResult)
	l.mu.Unlock()
	l.c.sends.Add(1)
	var data any = payload(l.id, seq)
	if l.plan.binary {
		data = []byte(payload(l.id, seq))
	}
	record := func(r uint8, res uni.GeneralCallbackResult) {
		l.mu.Lock()
		prev := l.results[seq-1]
		if prev == noResult {
			l.results[seq-1] = r
			l.nResults++
		}
		l.mu.Unlock()
		if prev != noResult {
			l.violate("%s: send %d got a second result: %s", l, seq, res.ErrMsg)
		}
		if r == resultOK {
			l.c.sendOK.Add(1)
		} else {
			l.c.sendFail.Add(1)
		}
	}
	task.Send(uni.SendSocketMessageOptions{
		Data:    data,
		Success: func(res uni.GeneralCallbackResult) { record(resultOK, res) },
		Fail:    func(res uni.GeneralCallbackResult) { record(resultFail, res) },
		Complete: func(uni.GeneralCallbackResult) {
			l.mu.Lock()
			l.nComplete++
			l.mu.Unlock()
			l.signal()
		},
	})
}

// close closes the task with the plan's code and reason, checking that the
// call gets exactly one result.
func (l *ledger) close(task *uni.SocketTask) {
	l.mu.Lock()
	l.closeCalls++
	l.mu.Unlock()
	l.c.closeCalls.Add(1)
	var results atomic.Int32
	done := func(res uni.GeneralCallbackResult) {
		if n := results.Add(1); n > 1 {
			l.violate("%s: close call got result %d: %s", l, n, res.ErrMsg)
		}
	}
	task.Close(uni.CloseSocketOptions{
		Code: l.plan.code, Reason: l.plan.reason,
		Success: done, Fail: done,
		Complete: func(uni.GeneralCallbackResult) {
			l.mu.Lock()
			l.closeDone++
			l.mu.Unlock()
			l.signal()
		},
	})
}

// waitFor waits until cond holds, under l.mu, or the safety net runs out;
// it reports whether cond held.
func (l *ledger) waitFor(cond func() bool) bool {
	deadline := time.NewTimer(safetyNet)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		ok := cond()
		l.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-l.changed:
		case <-deadline.C:
			return false
		}
	}
}

func (l *ledger) String() string {
	return l.id + " (" + l.plan.sc.String() + " " + l.plan.query.Encode() + ")"
}

// check verifies the connection's invariants once its close event ran and
// every result arrived.
func (l *ledger) check() {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.plan
	switch {
	case l.closes != 1:
		l.violate("%s: %d close events, want 1", l, l.closes)
	case p.wantOpen == 1 && l.opens == 0:
		l.violate("%s: never opened (closed with %d, error %q)", l, l.closeCode, l.errMsg)
	case p.wantOpen == -1 && l.opens > 0:
		l.violate("%s: opened, want a failed handshake", l)
	case p.wantCode != 0 && l.closeCode != p.wantCode && !l.closeTimedOut():
		l.violate("%s: closed with %d %q (error %q), want %d", l, l.closeCode, l.closeWhy, l.errMsg, p.wantCode)
	}
	if l.nResults != l.sent || l.nComplete != l.sent {
		l.violate("%s: %d sends, %d results, %d completes", l, l.sent, l.nResults, l.nComplete)
	}
	if l.closeDone != l.closeCalls {
		l.violate("%s: %d close calls, %d completes", l, l.closeCalls, l.closeDone)
	}
	for seq := 1; seq <= l.echoed && seq <= len(l.results); seq++ {
		if l.results[seq-1] != resultOK {
			l.violate("%s: send %d was echoed by the server but its result was not success", l, seq)
			break
		}
	}
	switch p.sc {
	case scServerClose, scDrop:
		// The server read and echoed exactly after= messages before it
		// ended the connection, and TCP delivers them before the end.
		if l.echoed != p.after {
			l.violate("%s: %d echoes before the server's end, want %d", l, l.echoed, p.after)
		}
	case scFlood:
		if l.flood != p.flood {
			l.violate("%s: %d of %d server messages", l, l.flood, p.flood)
		}
	}
	if p.wantCode == 1006 {
		// A drop or reset gives close 1006 alone, as a browser reports it
		// (the standard profile's Drop rule); every other 1006 comes after
		// one error.
		want := 1
		if (p.sc == scDrop || p.sc == scReset) && !l.closeTimedOut() && platform.Standard().Drop == platform.DropCloseOnly {
			want = 0
		}
		if l.errs != want {
			l.violate("%s: %d error events before a close with 1006, want %d", l, l.errs, want)
		}
	}
}

// closeTimedOut reports whether a close of ours was cut after the close
// timeout: on a loaded machine a clean close may take that long, and the
// close event then says 1006 instead of our code.
func (l *ledger) closeTimedOut() bool {
	return l.closeCalls > 0 && l.closeCode == 1006 && strings.Contains(l.errMsg, "did not answer the close frame")
}
