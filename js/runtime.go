package js

import (
	"context"
	"errors"
	"io"
	"log"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/unisocket/unisocket/uni"
)

// Options configures a Runtime.
type Options struct {
	// Config configures the uni.App behind the uni and wx globals: the
	// platform profile, timeouts, TLS and how TCP connections are made.
	// Its ErrorLog, when nil, becomes a logger writing to Stderr.
	Config uni.Config

	// Stdout receives console.log, console.info, console.debug and
	// console.dir; nil means os.Stdout.
	Stdout io.Writer
	// Stderr receives console.warn, console.error, console.trace, the
	// reports of uncaught errors and the App's warnings; nil means
	// os.Stderr.
	Stderr io.Writer

	// Programs, when not nil, keeps the compiled modules for other
	// Runtimes that run the same files; see Programs.
	Programs *Programs

	// PerMessageDeflate is the default of connectSocket's
	// perMessageDeflate option, for the calls that do not give it: the
	// CLI's run --compress.
	PerMessageDeflate bool
}

// Runtime is one JavaScript world: a goja runtime, its event loop and the
// uni.App behind its uni and wx globals. It runs one script, once; create
// another Runtime for the next. Its methods must not be called
// concurrently.
type Runtime struct {
	vm     *goja.Runtime
	app    *uni.App
	stdout io.Writer
	stderr io.Writer // shared with the App's ErrorLog, hence locked

	loop     queue
	programs *Programs // nil: compile every module here
	timers   timers
	mods     modules
	helpers  helpers

	// Loop-goroutine state.
	running     string          // where JavaScript was interrupted, if it was
	pending     map[string]int  // API calls waiting for their result, by API name
	rejections  []*goja.Promise // rejected with no handler, this turn
	reported    int             // uncaught errors reported so far
	stopped     bool            // the JavaScript was interrupted
	taskProto   *goja.Object    // SocketTask.prototype
	taskKey     *goja.Symbol    // hidden property tying a task object to its uni.SocketTask
	turnPayload [4]goja.Value   // this turn's event payload, by event; see payload

	ran bool

	deflateDefault bool // Options.PerMessageDeflate
}

// New returns a Runtime whose uni and wx globals act on a new uni.App
// configured by opts.Config.
func New(opts Options) *Runtime {
	r := &Runtime{
		vm:       goja.New(),
		programs: opts.Programs,
		stdout:   opts.Stdout,
		stderr:   opts.Stderr,
		pending:  map[string]int{},
		taskKey:  goja.NewSymbol("unisocket.task"),

		deflateDefault: opts.PerMessageDeflate,
	}
	if r.stdout == nil {
		r.stdout = os.Stdout
	}
	if r.stderr == nil {
		r.stderr = os.Stderr
	}
	// The App's ErrorLog writes from its goroutines; share one lock when
	// both streams are the same writer, so lines never interleave.
	errW := &lockedWriter{w: r.stderr}
	if sameWriter(r.stdout, r.stderr) {
		r.stdout = errW
	}
	r.stderr = errW
	cfg := opts.Config
	if cfg.ErrorLog == nil {
		cfg.ErrorLog = log.New(r.stderr, "", 0)
	}
	r.loop.init()
	cfg.Executor = &r.loop
	r.app = uni.NewApp(cfg)
	r.mods.init()

	r.vm.SetPromiseRejectionTracker(r.trackRejection)
	r.helpers.init(r.vm)
	r.installConsole()
	r.installTimers()
	r.installUni()
	global := r.vm.GlobalObject()
	_ = global.Set("global", global)
	return r
}

// App returns the uni.App behind the uni and wx globals. Go code may add
// listeners to it; sockets should be created by the script only, since the
// Runtime tracks the sockets it created.
func (r *Runtime) App() *uni.App { return r.app }

// RunFile runs the CommonJS module in the file at path, then the event loop
// until nothing is pending or ctx ends. See Run for the result.
func (r *Runtime) RunFile(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	src, err := os.ReadFile(abs)
	if err != nil {
		return err
	}
	return r.Run(ctx, abs, string(src))
}

// Run runs src as the main CommonJS module, named filename (which relative
// require calls resolve against; a relative name is taken from the current
// directory), then the event loop until nothing is pending or ctx ends.
//
// It returns nil when the script ran to its end without an uncaught error;
// a *ScriptError when the main module threw (or did not compile); a
// *PendingError when ctx ended first; a *ReportedError when errors were
// reported (see the package documentation) but the script ran to its end.
// Before it returns, every socket the script opened is closed and every
// goroutine the Runtime started has ended.
func (r *Runtime) Run(ctx context.Context, filename, src string) error {
	if r.ran {
		return errors.New("js: a Runtime runs one script; create a new one")
	}
	r.ran = true
	abs, err := filepath.Abs(filename)
	if err != nil {
		return err
	}
	defer r.interruptWhenDone(ctx)()

	err = r.runMain(ctx, abs, src)
	if err == nil {
		err = r.runLoop(ctx)
	}
	r.shutdown()
	if err == nil && r.reported > 0 {
		err = &ReportedError{Count: r.reported}
	}
	return err
}

// runMain runs the main module as the loop's first turn.
func (r *Runtime) runMain(ctx context.Context, abs, src string) error {
	_, err := r.mods.loadSource(r, abs, src, true)
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		r.handle(err, uncaught, "") // notes where it stopped
		return r.pendingError(ctx)
	}
	r.afterTurn()
	if err == nil {
		return nil
	}
	return r.scriptError(err)
}

var errInterrupted = errors.New("js: the script was stopped")

// interruptGrace is how long a turn of JavaScript may go on once the
// context ended. The loop stops between turns by itself; only a turn that
// does not end (an endless loop) needs interrupting, and one that is about
// to end should not be reported as stuck.
const interruptGrace = 100 * time.Millisecond

// interruptWhenDone arranges for JavaScript still running interruptGrace
// after ctx ended to be interrupted. The returned function cancels that.
func (r *Runtime) interruptWhenDone(ctx context.Context) (stop func()) {
	var (
		mu    sync.Mutex
		over  bool
		timer *time.Timer
	)
	stopAfter := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !over {
			timer = time.AfterFunc(interruptGrace, func() { r.vm.Interrupt(errInterrupted) })
		}
	})
	return func() {
		stopAfter()
		mu.Lock()
		defer mu.Unlock()
		over = true
		if timer != nil {
			timer.Stop()
		}
	}
}

// lockedWriter serialises writes from the loop (console) and from the
// App's goroutines (its ErrorLog).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// sameWriter reports whether a and b are the same writer; comparing
// interfaces panics for uncomparable dynamic types, which are never the
// same writer anyway.
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}
