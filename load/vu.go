package load

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/unisocket/unisocket/platform"
	"github.com/unisocket/unisocket/uni"
)

// A Scenario is what a VU does in one iteration. It should return when
// ctx ends: the test is stopping and the grace period is over.
// A returned error is counted in iteration_errors; an error after ctx
// ended counts the iteration as interrupted instead.
type Scenario func(ctx context.Context, vu *VU) error

// VU is one virtual user: one uni.App, its own registry and quota, kept
// across the VU's iterations as a phone keeps its app running. Its
// methods record metrics; they may be called from the scenario and from
// the App's callbacks.
type VU struct {
	// ID is the VU's number, from 1, over the whole test (all segments).
	ID int
	// Iteration is the number of the iteration running, from 0, counted
	// per VU as k6's __ITER.
	Iteration int
	// App is the VU's uni.App. Sockets made with it directly are counted
	// in data_sent and data_received only; Dial and Connect count the
	// rest.
	App *uni.App

	cfg     uni.Config
	rec     *recorder
	conns   *connSet
	t       *Test
	profile platform.Profile
}

// Config returns the configuration of the VU's App, with its byte
// counting: a binding that makes its own App per iteration (the JS
// runtime) uses it.
func (vu *VU) Config() uni.Config { return vu.cfg }

// Trend records a duration in the trend name, e.g. a round-trip time.
func (vu *VU) Trend(name string, d time.Duration) { vu.rec.trend(name, d) }

// TrendMS records a value in milliseconds in the trend name.
func (vu *VU) TrendMS(name string, ms float64) {
	vu.rec.add(Sample{Metric: name, Kind: Trend, Value: float64(micros(ms)) / 1000})
}

// Count adds n to the counter name.
func (vu *VU) Count(name string, n float64) { vu.rec.count(name, n) }

// Check records whether a check passed, in the rate checks and its
// submetric checks{check:name}, and returns ok.
func (vu *VU) Check(name string, ok bool) bool {
	v := 0.0
	if ok {
		v = 1
	}
	vu.rec.add(Sample{Metric: MetricChecks, Kind: Rate, Value: v, TagKey: "check", TagValue: name})
	return ok
}

// Socket is a socket a VU opened with Dial or Connect: a uni.SocketTask
// whose Write, Send and Receive are counted.
type Socket struct {
	*uni.SocketTask
	s        *session
	receives bool // messages are counted by Receive, not by a listener
}

// Write sends a message and waits until it was written, as
// uni.SocketTask.Write, counting it in ws_msgs_sent.
func (k *Socket) Write(ctx context.Context, data any) error {
	err := k.SocketTask.Write(ctx, data)
	if err == nil {
		k.s.sent()
	} else {
		k.s.vu.failure("sendSocketMessage:fail " + err.Error())
	}
	return err
}

// Send sends a message as uni.SocketTask.Send, counting it in
// ws_msgs_sent when it succeeds and in uni_errors when it fails.
func (k *Socket) Send(opts uni.SendSocketMessageOptions) {
	complete := opts.Complete
	opts.Complete = func(r uni.GeneralCallbackResult) {
		if r.OK() {
			k.s.sent()
		} else {
			k.s.vu.failure(r.ErrMsg)
		}
		if complete != nil {
			complete(r)
		}
	}
	k.SocketTask.Send(opts)
}

// Receive returns the next message as uni.SocketTask.Receive, counting it
// in ws_msgs_received for a socket from Dial.
func (k *Socket) Receive(ctx context.Context) (uni.OnMessageResult, error) {
	m, err := k.SocketTask.Receive(ctx)
	if err == nil && k.receives {
		k.s.received()
	}
	return m, err
}

// Dial connects like uni.App.Dial and waits until the socket is open or
// failed, recording ws_sessions, ws_connecting and, later, the close. The
// socket keeps its messages for Receive from the start.
func (vu *VU) Dial(ctx context.Context, opts uni.ConnectSocketOptions) (*Socket, error) {
	s := vu.newSession()
	var (
		task   *uni.SocketTask
		failed string
		done   = make(chan string, 1) // "" when open, else the errMsg
	)
	opts = s.wrapConnect(opts, &failed)
	vu.App.Run(func() {
		task = vu.App.ConnectSocket(opts)
		if failed != "" {
			return
		}
		// The first Receive starts keeping messages: with it in the same
		// turn as ConnectSocket none is missed, as with App.Dial.
		stop, cancel := context.WithCancel(context.Background())
		cancel()
		_, _ = task.Receive(stop)
		s.watch(task, false, done)
	})
	if failed != "" {
		return nil, &uni.Error{ErrMsg: failed}
	}
	select {
	case msg := <-done:
		if msg != "" {
			return nil, &uni.Error{ErrMsg: msg}
		}
	case <-ctx.Done():
		task.Abort()
		<-task.Done()
		return nil, ctx.Err()
	}
	return &Socket{SocketTask: task, s: s, receives: true}, nil
}

// Connect starts a connection like uni.App.ConnectSocket, with the
// metrics' listeners added first. Add your own listeners in the same turn
// (inside vu.App.Run or a listener) so none misses an early event.
func (vu *VU) Connect(opts uni.ConnectSocketOptions) *Socket {
	s := vu.newSession()
	var (
		task   *uni.SocketTask
		failed string
	)
	opts = s.wrapConnect(opts, &failed)
	vu.App.Run(func() {
		task = vu.App.ConnectSocket(opts)
		if failed == "" {
			s.watch(task, true, nil)
		}
	})
	return &Socket{SocketTask: task, s: s}
}

// session follows one socket for the metrics. Its event methods run on
// the App's callback goroutine, one at a time.
type session struct {
	vu     *VU
	start  time.Time
	opened bool
}

func (vu *VU) newSession() *session { return &session{vu: vu, start: time.Now()} }

// wrapConnect counts the call's result: issued (ws_sessions) or failed
// (uni_errors, and uni_quota_rejections for the quota's refusal).
func (s *session) wrapConnect(opts uni.ConnectSocketOptions, failed *string) uni.ConnectSocketOptions {
	complete := opts.Complete
	opts.Complete = func(r uni.GeneralCallbackResult) {
		s.issued(r.ErrMsg)
		if !r.OK() {
			*failed = r.ErrMsg
		}
		if complete != nil {
			complete(r)
		}
	}
	return opts
}

func (s *session) issued(errMsg string) {
	if strings.HasSuffix(errMsg, ":ok") {
		s.vu.rec.count(MetricSessions, 1)
		return
	}
	s.vu.failure(errMsg)
	if isQuotaRefusal(s.vu.profile, errMsg) {
		s.vu.rec.count(MetricQuota, 1)
	}
}

// watch adds the metrics' listeners to a new task; done, when not nil,
// receives "" at open or the errMsg of an error before it.
func (s *session) watch(task *uni.SocketTask, messages bool, done chan string) {
	task.OnOpen(func(uni.OnOpenResult) {
		s.open()
		if done != nil {
			done <- ""
			done = nil
		}
	})
	task.OnError(func(r uni.OnErrorResult) {
		s.errorEvent(r.ErrMsg)
		if done != nil {
			done <- orText(r.ErrMsg, "the connection failed (the platform's error event has no errMsg)")
			done = nil
		}
	})
	task.OnClose(func(r uni.OnCloseResult) {
		s.close(r.Code)
		if done != nil {
			done <- "the connection closed with code " + strconv.Itoa(r.Code) + " before it opened"
			done = nil
		}
	})
	if messages {
		task.OnMessage(func(uni.OnMessageResult) { s.received() })
	}
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func (s *session) open() {
	s.opened = true
	s.vu.rec.trend(MetricConnecting, time.Since(s.start))
	s.vu.t.live.open.Add(1)
}

func (s *session) sent() {
	s.vu.rec.count(MetricMsgsSent, 1)
	s.vu.t.live.sent.Add(1)
}

func (s *session) received() {
	s.vu.rec.count(MetricMsgsReceived, 1)
	s.vu.t.live.received.Add(1)
}

// errorEvent counts an error event by its errMsg; platforms whose error
// event carries none are counted under "(no errMsg)".
func (s *session) errorEvent(errMsg string) { s.vu.failure(orText(errMsg, "(no errMsg)")) }

func (s *session) close(code int) {
	s.vu.rec.tagged(MetricCloseCodes, "code", strconv.Itoa(code), 1)
	s.vu.rec.trend(MetricSessionDuration, time.Since(s.start))
	if s.opened {
		s.opened = false
		s.vu.t.live.open.Add(-1)
	}
}

// failure counts a failed call or error event by errMsg.
func (vu *VU) failure(errMsg string) {
	vu.rec.tagged(MetricErrors, "errMsg", errMsg, 1)
	vu.t.live.errors.Add(1)
}

// isQuotaRefusal reports whether errMsg is connectSocket's refusal by the
// profile's socket quota.
func isQuotaRefusal(p platform.Profile, errMsg string) bool {
	cause, ok := strings.CutPrefix(errMsg, "connectSocket:fail ")
	if !ok {
		return false
	}
	if cause == (platform.Profile{}).QuotaCause(0, false) {
		return true // the generic text, which carries no task number
	}
	if p.QuotaErrMsg == "" {
		return false
	}
	before, after, found := strings.Cut(p.QuotaErrMsg, platform.TaskIDPlaceholder)
	if !found {
		return cause == p.QuotaErrMsg
	}
	mid, ok := strings.CutPrefix(cause, before)
	if !ok {
		return false
	}
	mid, ok = strings.CutSuffix(mid, after)
	if !ok || mid == "" {
		return false
	}
	_, err := strconv.ParseUint(mid, 10, 64)
	return err == nil
}
