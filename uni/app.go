package uni

import (
	"context"
	"crypto/tls"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/unisocket/unisocket/internal/wire"
	"github.com/unisocket/unisocket/netem"
	"github.com/unisocket/unisocket/platform"
)

// DefaultConnectTimeout is networkTimeout.connectSocket's default in
// manifest.json: 60000 ms.
const DefaultConnectTimeout = 60 * time.Second

// DefaultReadLimit is the largest message a socket accepts unless
// Config.ReadLimit says otherwise: 16 MiB.
const DefaultReadLimit = wire.DefaultReadLimit

// DefaultMaxBufferedAmount is each socket's send queue bound unless
// Config.MaxBufferedAmount says otherwise: 64 MiB, room for 32 messages of
// 1 MiB in flight and more.
const DefaultMaxBufferedAmount = 64 << 20

// Config configures an App. The zero value is the standard profile with
// uni-app's defaults.
type Config struct {
	// Profile is the platform to behave as; the zero value means
	// platform.Standard().
	Profile platform.Profile

	// ConnectTimeout bounds a whole handshake: DNS, TCP, TLS and the HTTP
	// upgrade. It is manifest.json's networkTimeout.connectSocket; 0 means
	// DefaultConnectTimeout. A per-call Timeout overrides it.
	ConnectTimeout time.Duration

	// ReadLimit is the largest message accepted; a larger one fails the
	// connection with 1009. 0 means DefaultReadLimit; negative means none.
	ReadLimit int64

	// CloseTimeout bounds the close handshake, counted from the close
	// call (messages queued before the close frame count against it); after
	// it the connection is cut and the close reported with 1006. 0 means
	// 5 s, which is also the most: coder/websocket gives up after 5 s.
	CloseTimeout time.Duration

	// TLSConfig is used for wss:// URLs; nil means the system's roots.
	TLSConfig *tls.Config

	// Proxy picks a proxy for each handshake, as http.Transport.Proxy
	// does; nil means none. http:// and https:// proxies are tunnelled
	// with CONNECT for ws:// and wss:// alike, as browsers do (net/http
	// alone would send ws:// requests in forward form); socks5:// resolves
	// the host locally, socks5h:// at the proxy. Credentials come from the
	// proxy URL's userinfo.
	Proxy func(*http.Request) (*url.URL, error)

	// DialContext opens TCP connections; nil means a net.Dialer. Tests and
	// the CLI's --resolve use it to route a host name to a local address.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// Network shapes every connection of the App as a phone's network
	// would: latency, jitter, bandwidth, loss, or offline (package netem;
	// netem.Preset names slow-3g, fast-3g, 4g, wifi). It wraps DialContext,
	// so a --resolve route and the TCP connection to a proxy are shaped
	// too. Its conditions may change while sockets are open (Set); going
	// offline cuts them. nil means no shaping.
	Network *netem.Network

	// MaxBufferedAmount bounds each socket's queue of messages given to
	// Send (or Write) and not yet written, in bytes: once a message would
	// take the queue over it, the send fails ("the send buffer is full")
	// and nothing queued is dropped. A message is always accepted into an
	// empty queue, whatever its size. 0 means DefaultMaxBufferedAmount.
	MaxBufferedAmount int64

	// ReceiveBacklog bounds, in bytes (payload plus 64 per message), each
	// socket's received messages not consumed yet: queued for listeners
	// or kept for Receive. At the bound the socket stops reading until
	// the backlog drops: the server meets TCP backpressure, memory stays
	// bounded, and a flooded socket cannot fill the shared Executor queue
	// with more than its bound, ahead of other sockets' events. While it
	// waits, pings are not answered. Messages arriving after Close or
	// Abort, or still queued then, are not delivered, as in a browser, so
	// close and error events never wait behind a backlog. A program
	// that writes and receives on one goroutine must keep what it has in
	// flight under the bound, or it and an echoing server wait on each
	// other. 0 means DefaultReceiveBacklog.
	ReceiveBacklog int64

	// Executor runs the App's callbacks one at a time (see Executor); nil
	// means a queue drained by a goroutine that exists only while
	// callbacks are pending. The JavaScript runtime passes its event loop.
	Executor Executor

	// ErrorLog receives reports of listeners that panicked and of options
	// the profile ignores; nil means log.Default().
	ErrorLog *log.Logger

	// The host rules below are what a mini-program's console and developer
	// tools configure (see platform/PROFILES.md); package manifest reads
	// them from unisocket.config.json.

	// Domains is the socket domain whitelist (WeChat's "socket 合法域名"):
	// host names, optionally written wss://name. Profiles with CheckDomain
	// admit only these hosts; other profiles apply the list when it is not
	// empty. platform.NewWhitelist says which entries are valid; an
	// invalid entry makes every connectSocket fail and name it.
	Domains []string
	// SkipURLCheck is the developer tools' "do not check domain names"
	// switch: the scheme, IP, localhost and whitelist rules are off. The
	// socket quota still applies.
	SkipURLCheck bool
	// AllowLANIP admits private-network IP literals (never loopback) on
	// profiles whose LANIP rule is on, as WeChat's LAN switch does.
	AllowLANIP bool
	// TestBuild is a test build: profiles whose TestBuildWS rule is on
	// accept ws:// too (Douyin).
	TestBuild bool
	// MaxSockets, when positive, replaces the profile's socket quota (for
	// both single and multiple connects); 0 keeps the profile's.
	MaxSockets int
	// ReservedSockets are quota slots that the vendor's own sockets hold
	// (uni-push 2.0, the developer tools' log echo), so the app gets that
	// many fewer. It has no effect on a profile without a quota.
	ReservedSockets int
}

// App is one running uni-app instance: its socket registry (oldest first),
// its profile and configuration, and the Executor that runs its callbacks
// one at a time, in event order, as uni-app's JavaScript thread does. An
// App is safe for concurrent use. Any number of Apps can live in one
// process, each with its own registry and listeners.
//
// # What runs where
//
//   - Listeners (OnOpen, OnMessage, OnSocketOpen, …) and the results of
//     Send, Close, SendSocketMessage and CloseSocket run on the Executor,
//     one at a time, in the order their events happened. A socket's
//     readyState moves as its events are delivered there: OPEN just before
//     the open listeners run, CLOSED just before the error or close ones
//     (and CLOSING at once when Close is called), as a browser moves it.
//     A send's result comes before any event read after its write began
//     (docs/architecture.md, result order).
//   - ConnectSocket's Success, Fail and Complete run on the caller's
//     goroutine before it returns. Called from a listener or inside Run,
//     they are part of that turn. On a profile with
//     platform.ResultAtCall (h5) so do the results of Send, Close,
//     SendSocketMessage and CloseSocket, as uni-h5 runs them.
//   - Run runs a function as one turn on the Executor and waits for it.
//   - Each socket has a goroutine reading it, and one writing it while
//     frames are queued; neither ever waits for a callback.
//
// Callbacks may call any method of the App and its tasks, but must not
// wait for the Executor: Run, and waiting on Idle's channel, would wait
// for a turn that cannot come while the callback runs. The methods that
// wait for the network (Dial, Shutdown, SocketTask.Write, Receive,
// Shutdown, Ping) hold the Executor up while they wait: fine inside Run to
// set a socket up, best left to other goroutines otherwise.
//
// An App needs no Close: it holds no goroutine while it has no socket and
// no pending callback.
type App struct {
	cfg       Config
	profile   platform.Profile
	transport *wire.Transport
	exec      Executor
	errLog    *log.Logger

	maxBuffered    int64 // Config.MaxBufferedAmount, defaulted
	receiveBacklog int64 // Config.ReceiveBacklog, defaulted

	mu      sync.Mutex
	tasks   []*SocketTask            // the registry, oldest first
	live    []*SocketTask            // sockets with events still to deliver, oldest first
	running map[*SocketTask]struct{} // sockets whose goroutines have not ended
	nextID  uint64
	global  listeners

	nGlobalMessage atomic.Int32 // global message listeners, read per message
}

// NewApp returns an App configured by cfg.
func NewApp(cfg Config) *App {
	if cfg.Profile.Name == "" {
		cfg.Profile = platform.Standard()
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	a := &App{cfg: cfg, profile: cfg.Profile, exec: cfg.Executor, errLog: cfg.ErrorLog, running: map[*SocketTask]struct{}{}}
	if a.exec == nil {
		a.exec = &queueExecutor{}
	}
	a.receiveBacklog = cfg.ReceiveBacklog
	if a.receiveBacklog <= 0 {
		a.receiveBacklog = DefaultReceiveBacklog
	}
	a.maxBuffered = cfg.MaxBufferedAmount
	if a.maxBuffered <= 0 {
		a.maxBuffered = DefaultMaxBufferedAmount
	}
	if a.errLog == nil {
		a.errLog = log.Default()
	}
	dial := cfg.DialContext
	if cfg.Network != nil {
		dial = cfg.Network.Dialer(dial)
	}
	a.transport = wire.NewTransport(wire.TransportOptions{
		TLSConfig:   cfg.TLSConfig,
		Proxy:       cfg.Proxy,
		DialContext: dial,
	})
	return a
}

// Profile returns the platform profile the App behaves as.
func (a *App) Profile() platform.Profile { return a.profile }

var defaultApp = sync.OnceValue(func() *App { return NewApp(Config{}) })

// Default returns the App that the package-level functions act on. It is
// created on first use with the zero Config: the standard profile and
// uni-app's defaults.
func Default() *App { return defaultApp() }

// Sockets returns the registry, oldest first: the tasks whose first error
// or close event has not been delivered yet. The global API acts on the
// first of them.
func (a *App) Sockets() []*SocketTask {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*SocketTask(nil), a.tasks...)
}

// Idle returns a channel that is closed once every callback queued so far
// has run. Tests use it to wait for quiet.
func (a *App) Idle() <-chan struct{} {
	ch := make(chan struct{})
	a.exec.Execute(func() { close(ch) })
	return ch
}

// Live returns the number of sockets whose events are not all delivered:
// connecting, open or closing, or closed with their error or close event
// still queued. It drops when a socket's last event has been delivered,
// on the Executor. An event loop that runs the App's callbacks (see
// Executor) keeps waiting while Live is above zero, and may end once it is
// zero and nothing else of its own is pending: no socket will post again.
func (a *App) Live() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.live)
}

// LiveSockets returns the sockets Live counts, oldest first.
func (a *App) LiveSockets() []*SocketTask {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*SocketTask(nil), a.live...)
}

// Shutdown closes every socket of the App (code 1000; one still
// connecting is abandoned) and waits until their goroutines have ended or
// ctx ends, returning ctx's error then. It does not wait for the close
// events to be delivered: that is the Executor's business. Programs and
// bindings call it on their way out so that nothing of the App is left
// running.
func (a *App) Shutdown(ctx context.Context) error {
	a.mu.Lock()
	tasks := make([]*SocketTask, 0, len(a.running))
	for t := range a.running {
		tasks = append(tasks, t)
	}
	a.mu.Unlock()
	var wg sync.WaitGroup
	for _, t := range tasks {
		wg.Go(func() { _ = t.Shutdown(ctx, 1000, "") })
	}
	wg.Wait()
	return ctx.Err()
}

// first returns the global API's target: the oldest registered task.
func (a *App) first() *SocketTask {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.tasks) == 0 {
		return nil
	}
	return a.tasks[0]
}

// unregister removes t from the registry (at its first error or close
// event) and, when its last event was delivered, from the live list.
func (a *App) unregister(t *SocketTask, last bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tasks = remove(a.tasks, t)
	if last {
		a.live = remove(a.live, t)
	}
}

func remove(list []*SocketTask, t *SocketTask) []*SocketTask {
	if i := slices.Index(list, t); i >= 0 {
		return slices.Delete(list, i, i+1)
	}
	return list
}

// protect runs a user callback, reporting a panic the way uni-app H5
// reports a throwing listener, so the listeners after it still run.
func (a *App) protect(where string, fn func()) {
	defer func() {
		if v := recover(); v != nil {
			a.errLog.Printf("thirdScriptError\n%v;at %s", v, where)
		}
	}()
	fn()
}

func (a *App) warnf(format string, args ...any) {
	a.errLog.Printf("unisocket: "+format, args...)
}

// String names the App by its profile, for logs.
func (a *App) String() string { return fmt.Sprintf("uni.App(%s)", a.profile.Name) }

// Run runs fn as one turn on the App's Executor and returns when it is
// done (a panic in fn is raised again here): no listener or result
// callback of the App runs while fn does. Code that connects and then adds
// listeners should do both inside Run (or inside a listener), as uni-app
// code does within one JavaScript turn; otherwise a fast server could open
// the socket before OnOpen is added.
//
// Run waits for the Executor, so it must not be called from a callback of
// the App: a callback is a turn already, and can connect and add listeners
// directly.
func (a *App) Run(fn func()) {
	done := make(chan any, 1)
	a.exec.Execute(func() {
		defer func() { done <- recover() }()
		fn()
	})
	if v := <-done; v != nil {
		panic(v)
	}
}
