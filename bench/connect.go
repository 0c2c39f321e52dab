package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	coder "github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"
	"github.com/lxzan/gws"

	"github.com/unisocket/unisocket/uni"
)

// handshakeClients are the clients of the connect and idle sections.
// uni-cb opens connections exactly as uni does, so it is left out.
var handshakeClients = []string{cTCP, cCoder, cGorilla, cGws, cUni}

// opened is one open connection of the connect and idle sections: close
// ends it and, for clients with a reader, the reader.
type opened struct{ close func() }

// dialer opens connections of one client. Clients that read (every one
// but the connect section's) get a reader goroutine parked on the
// connection, as a client waiting for messages has.
type dialer struct {
	client string
	ws     string
	tcp    string
	read   bool
	app    *uni.App // shared by all connections, as an application's are
}

func newDialer(client, ws, tcp string, read bool) *dialer {
	d := &dialer{client: client, ws: ws, tcp: tcp, read: read}
	if client == cUni || client == cUniCB {
		d.app = uni.NewApp(uni.Config{})
	}
	return d
}

func (d *dialer) dial() (opened, error) {
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	switch d.client {
	case cTCP:
		c, err := net.Dial("tcp", d.tcp)
		if err != nil {
			return opened{}, err
		}
		if d.read {
			go func() { _, _ = io.ReadFull(c, make([]byte, 16)) }()
		}
		return opened{close: func() { _ = c.Close() }}, nil
	case cCoder:
		c, _, err := coder.Dial(ctx, d.ws, nil)
		if err != nil {
			return opened{}, err
		}
		if d.read {
			c.SetReadLimit(64 << 20)
			go func() { _, _, _ = c.Read(bg) }()
		}
		return opened{close: func() { _ = c.CloseNow() }}, nil
	case cGorilla:
		dl := gorilla.Dialer{HandshakeTimeout: 10 * time.Second}
		c, _, err := dl.DialContext(ctx, d.ws, nil)
		if err != nil {
			return opened{}, err
		}
		if d.read {
			go func() { _, _, _ = c.ReadMessage() }()
		}
		return opened{close: func() { _ = c.Close() }}, nil
	case cGws:
		c, _, err := gws.NewClient(&gws.BuiltinEventHandler{}, &gws.ClientOption{
			Addr: d.ws, ReadMaxPayloadSize: 64 << 20, WriteMaxPayloadSize: 64 << 20, HandshakeTimeout: 10 * time.Second,
		})
		if err != nil {
			return opened{}, err
		}
		if d.read {
			go c.ReadLoop()
		}
		return opened{close: func() { _ = c.NetConn().Close() }}, nil
	case cUni:
		t, err := d.app.Dial(ctx, uni.ConnectSocketOptions{URL: d.ws})
		if err != nil {
			return opened{}, err
		}
		return opened{close: uniCloser(t)}, nil
	case cUniCB:
		open := make(chan error, 1)
		var t *uni.SocketTask
		d.app.Run(func() {
			t = d.app.ConnectSocket(uni.ConnectSocketOptions{URL: d.ws})
			t.OnOpen(func(uni.OnOpenResult) { open <- nil })
			t.OnError(func(r uni.OnErrorResult) {
				select {
				case open <- fmt.Errorf("%s", r.ErrMsg):
				default:
				}
			})
			t.OnMessage(func(uni.OnMessageResult) {})
		})
		select {
		case err := <-open:
			if err != nil {
				return opened{}, err
			}
		case <-ctx.Done():
			return opened{}, ctx.Err()
		}
		return opened{close: uniCloser(t)}, nil
	}
	return opened{}, fmt.Errorf("no dialer for %s", d.client)
}

// uniCloser starts the close handshake; closeAll waits for the ends.
func uniCloser(t *uni.SocketTask) func() {
	return func() {
		t.Close(uni.CloseSocketOptions{})
		select {
		case <-t.Done():
		case <-time.After(10 * time.Second):
		}
	}
}

// closeAll closes conns, several at a time.
func closeAll(conns []opened) {
	var wg sync.WaitGroup
	work := make(chan opened)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				c.close()
			}
		}()
	}
	for _, c := range conns {
		work <- c
	}
	close(work)
	wg.Wait()
}

// connectRow is one client's connect-rate samples.
type connectRow struct {
	Client string          `json:"client"`
	Seq    []connectSample `json:"sequential"`
	Conc   []connectSample `json:"concurrent"`
}

type connectSample struct {
	PerSec float64 `json:"handshakes_per_s"`
	P50us  float64 `json:"p50_us"`
	Err    string  `json:"error,omitempty"`
}

// runConnect measures handshakes: dialN one after another, then dialN by
// dialConc concurrent dialers. The connections stay open while a run
// lasts and are closed, untimed, after it.
func runConnect(cfg *config, e *env, progress func(string, ...any)) []*connectRow {
	var clients []string
	for _, c := range cfg.clients {
		for _, h := range handshakeClients {
			if c == h {
				clients = append(clients, c)
			}
		}
	}
	rows := map[string]*connectRow{}
	for _, c := range clients {
		rows[c] = &connectRow{Client: c}
	}
	for rep := 0; rep < cfg.dialReps; rep++ {
		t0 := time.Now()
		for _, c := range rotate(clients, rep) {
			rows[c].Seq = append(rows[c].Seq, dialRun(newDialer(c, e.wsURL, e.tcpAddr, false), cfg.dialN, 1))
			rows[c].Conc = append(rows[c].Conc, dialRun(newDialer(c, e.wsURL, e.tcpAddr, false), cfg.dialN, cfg.dialConc))
		}
		progress("bench: connect repetition %d/%d done in %.1fs", rep+1, cfg.dialReps, time.Since(t0).Seconds())
	}
	out := make([]*connectRow, 0, len(clients))
	for _, c := range clients {
		out = append(out, rows[c])
	}
	return out
}

// dialRun opens n connections with conc dialers.
func dialRun(d *dialer, n, conc int) connectSample {
	conns := make([]opened, 0, n)
	lat := make([]time.Duration, 0, n)
	var mu sync.Mutex
	var firstErr error
	next := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		next <- struct{}{}
	}
	close(next)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				t0 := time.Now()
				c, err := d.dial()
				el := time.Since(t0)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				conns = append(conns, c)
				lat = append(lat, el)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	total := time.Since(start)
	closeAll(conns)
	if firstErr != nil {
		return connectSample{Err: firstErr.Error()}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return connectSample{PerSec: float64(n) / total.Seconds(), P50us: float64(lat[len(lat)/2].Microseconds())}
}

// idleRow is the memory one idle connection of a client costs.
type idleRow struct {
	Client     string  `json:"client"`
	N          int     `json:"connections"`
	HeapInuse  float64 `json:"heap_inuse_per_conn"`
	HeapAlloc  float64 `json:"heap_alloc_per_conn"`
	Stack      float64 `json:"stack_per_conn"`
	Goroutines float64 `json:"goroutines_per_conn"`
	Sys        float64 `json:"sys_per_conn"`
	Err        string  `json:"error,omitempty"`
}

// runIdle measures each client in a fresh process, so that no other
// client's memory or pooled buffers are counted.
func runIdle(cfg *config, e *env, progress func(string, ...any)) []*idleRow {
	self, err := os.Executable()
	var out []*idleRow
	for _, c := range cfg.clients {
		known := false
		for _, h := range handshakeClients {
			known = known || c == h
		}
		if !known {
			continue
		}
		row := &idleRow{Client: c, N: cfg.idleN}
		out = append(out, row)
		if err != nil {
			row.Err = err.Error()
			continue
		}
		t0 := time.Now()
		args := []string{"-role=idle", "-client=" + c, "-n=" + strconv.Itoa(cfg.idleN), "-ws=" + e.wsURL, "-tcp=" + e.tcpAddr}
		if cfg.idleProf != "" {
			args = append(args, "-heapprofile="+cfg.idleProf+"."+c)
		}
		cmd := exec.Command(self, args...)
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(cfg.procs))
		cmd.Stderr = os.Stderr
		b, err := cmd.Output()
		if err != nil {
			row.Err = err.Error()
			continue
		}
		if err := json.Unmarshal(b, row); err != nil {
			row.Err = err.Error()
		}
		progress("bench: idle memory of %s measured in %.1fs", c, time.Since(t0).Seconds())
	}
	return out
}

// idleRole opens n connections of client, each with a parked reader, and
// prints what they cost: GC'd runtime.MemStats deltas divided by n.
func idleRole(client string, n int, ws, tcp, heapProfile string) int {
	if heapProfile != "" {
		runtime.MemProfileRate = 1
	}
	d := newDialer(client, ws, tcp, true)
	// One connection first, so that what every connection shares (the
	// transport, pools, the App) is not counted.
	warm, err := d.dial()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench idle:", err)
		return 1
	}
	conns := make([]opened, n)
	settle := func() runtime.MemStats {
		time.Sleep(200 * time.Millisecond) // let readers park
		runtime.GC()
		runtime.GC()
		debug.FreeOSMemory()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m
	}
	m0 := settle()
	g0 := runtime.NumGoroutine()
	// Eight dialers: the figures are read once every connection is open
	// and the heap settled, so they do not depend on how fast it went.
	var wg sync.WaitGroup
	var failed atomic.Value
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := d.dial()
				if err != nil {
					failed.Store(err)
					return
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		fmt.Fprintln(os.Stderr, "bench idle:", err)
		return 1
	}
	m1 := settle()
	if heapProfile != "" {
		if f, err := os.Create(heapProfile); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			_ = f.Close()
		}
	}
	g1 := runtime.NumGoroutine()
	per := func(a, b uint64) float64 { return (float64(b) - float64(a)) / float64(n) }
	row := idleRow{
		Client:     client,
		N:          n,
		HeapInuse:  per(m0.HeapInuse, m1.HeapInuse),
		HeapAlloc:  per(m0.HeapAlloc, m1.HeapAlloc),
		Stack:      per(m0.StackInuse, m1.StackInuse),
		Goroutines: float64(g1-g0) / float64(n),
		Sys:        per(m0.Sys, m1.Sys),
	}
	runtime.KeepAlive(conns)
	runtime.KeepAlive(warm)
	if err := json.NewEncoder(os.Stdout).Encode(row); err != nil {
		return 1
	}
	return 0
}
