package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
)

// results is everything one run measured; -json prints it, -from reads
// it back.
type results struct {
	Machine map[string]string `json:"machine"`
	Config  runConfig         `json:"config"`
	Echo    []*echoRow        `json:"echo,omitempty"`
	Connect []*connectRow     `json:"connect,omitempty"`
	Idle    []*idleRow        `json:"idle,omitempty"`
	Seconds float64           `json:"seconds"`
}

func describeMachine(cfg *config) map[string]string {
	m := map[string]string{
		"nproc":  fmt.Sprint(runtime.NumCPU()),
		"go":     runtime.Version(),
		"goarch": runtime.GOOS + "/" + runtime.GOARCH,
		"cpu":    cpuModel(),
		"kernel": readTrim("/proc/sys/kernel/osrelease"),
		"procs":  fmt.Sprint(cfg.procs),
	}
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		m["node"] = strings.TrimSpace(string(out))
	}
	return m
}

// runConfig is the part of the configuration the tables need.
type runConfig struct {
	Reps     int      `json:"reps"`
	DialReps int      `json:"dial_reps"`
	Dur      string   `json:"dur"`
	Warm     string   `json:"warm"`
	Window   int      `json:"window"`
	Sizes    []int    `json:"sizes"`
	Modes    []string `json:"modes"`
	Clients  []string `json:"clients"`
	DialN    int      `json:"dial_n"`
	DialConc int      `json:"dial_conc"`
	IdleN    int      `json:"idle_n"`
	Procs    int      `json:"gomaxprocs"`
	Pinned   bool     `json:"pinned"`
	Quick    bool     `json:"quick"`
}

func describeConfig(cfg *config, e *env) runConfig {
	return runConfig{
		Reps: cfg.reps, DialReps: cfg.dialReps, Dur: cfg.dur.String(), Warm: cfg.warm.String(), Window: cfg.window,
		Sizes: cfg.sizes, Modes: cfg.modes, Clients: cfg.clients, DialN: cfg.dialN, DialConc: cfg.dialConc,
		IdleN: cfg.idleN, Procs: cfg.procs, Pinned: e.pinned, Quick: cfg.quick,
	}
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// stat is a median with its range.
type stat struct {
	med, min, max float64
	n             int
}

func summarize(xs []float64) (stat, bool) {
	var v []float64
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) && x > 0 {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return stat{}, false
	}
	sort.Float64s(v)
	med := v[len(v)/2]
	if len(v)%2 == 0 {
		med = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return stat{med: med, min: v[0], max: v[len(v)-1], n: len(v)}, true
}

func rates(ss []sample) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		if s.Err != "" {
			out[i] = math.NaN()
		} else {
			out[i] = s.Rate
		}
	}
	return out
}

func cpus(ss []sample) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		if s.Err != "" {
			out[i] = math.NaN()
		} else {
			out[i] = s.CPU
		}
	}
	return out
}

// pairRatios divides a's rates by b's, repetition by repetition: the two
// ran next to each other in time.
func pairRatios(a, b []sample) []float64 {
	var out []float64
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i].Err == "" && b[i].Err == "" && b[i].Rate > 0 {
			out = append(out, a[i].Rate/b[i].Rate)
		}
	}
	return out
}

// pairCPURatios divides b's CPU time per message by a's, repetition by
// repetition.
func pairCPURatios(a, b []sample) []float64 {
	var out []float64
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i].Err == "" && b[i].Err == "" && a[i].CPU > 0 {
			out = append(out, b[i].CPU/a[i].CPU)
		}
	}
	return out
}

func compact(x float64) string {
	switch {
	case x >= 100_000:
		return fmt.Sprintf("%.0fk", x/1000)
	case x >= 10_000:
		return fmt.Sprintf("%.1fk", x/1000)
	case x >= 1000:
		return fmt.Sprintf("%.2fk", x/1000)
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

func fmtStat(st stat, ok bool, f func(float64) string) string {
	if !ok {
		return "–"
	}
	if st.n == 1 || st.min == st.max {
		return f(st.med)
	}
	return fmt.Sprintf("%s (%s–%s)", f(st.med), f(st.min), f(st.max))
}

func ratioFmt(x float64) string { return fmt.Sprintf("%.2f", x) }

// ratioSpec is one column of the ratio table; min is a target, 0 if none.
type ratioSpec struct {
	a, b    string
	min     float64
	minSize int // the target applies from this message size on
}

var ratioSpecs = []ratioSpec{
	{cUni, cCoder, 0.95, 0},
	{cUni, cTCP, 0, 0},
	{cUni, cGws, 1.0, 64 << 10},
	{cUniCB, cUni, 0, 0},
	{cJS, cUni, 0.7, 0},
	{cNode, cUni, 0, 0},
	{cCoder, cTCP, 0, 0},
	{cGws, cCoder, 0, 0},
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func printTables(w io.Writer, res *results) {
	cfg := &res.Config
	fmt.Fprintf(w, "Machine: %s CPUs (%s), %s %s, kernel %s", res.Machine["nproc"], res.Machine["cpu"], res.Machine["go"], res.Machine["goarch"], res.Machine["kernel"])
	if v := res.Machine["node"]; v != "" {
		fmt.Fprintf(w, ", node %s", v)
	}
	pin := "not pinned"
	if cfg.Pinned {
		pin = "server pinned to CPU 0, clients to CPU 1"
	}
	fmt.Fprintf(w, "\nRun: %d interleaved repetitions (connect: %d), %v per echo cell after %v warm-up, window %d, GOMAXPROCS=%d per process, %s; %.0fs in all.\n",
		cfg.Reps, cfg.DialReps, cfg.Dur, cfg.Warm, cfg.Window, cfg.Procs, pin, res.Seconds)
	fmt.Fprintln(w, "Figures are medians (min–max) over the repetitions; ratios are taken repetition by repetition, then summarised.")

	if len(res.Echo) > 0 {
		printEcho(w, cfg, res.Echo)
	}
	if len(res.Connect) > 0 {
		printConnect(w, cfg, res.Connect)
	}
	if len(res.Idle) > 0 {
		printIdle(w, res.Idle)
	}
}

func printEcho(w io.Writer, cfg *runConfig, rows []*echoRow) {
	clients := cfg.Clients
	fmt.Fprintf(w, "\n## Echo throughput, messages/s (seq: one at a time; pipe: %d in flight)\n\n", cfg.Window)
	fmt.Fprintf(w, "| row | %s |\n", strings.Join(clients, " | "))
	fmt.Fprintf(w, "|---|%s\n", strings.Repeat("---:|", len(clients)))
	errs := map[string]string{}
	for _, r := range rows {
		cells := make([]string, len(clients))
		for i, c := range clients {
			st, ok := summarize(rates(r.Samples[c]))
			cells[i] = fmtStat(st, ok, compact)
			for _, s := range r.Samples[c] {
				if s.Err != "" && errs[c] == "" {
					errs[c] = s.Err
				}
			}
		}
		fmt.Fprintf(w, "| %s | %s |\n", r.name(), strings.Join(cells, " | "))
	}
	for _, c := range clients {
		if e := errs[c]; e != "" {
			fmt.Fprintf(w, "\n%s: some cells have no figure: %s", c, e)
		}
	}
	if len(errs) > 0 {
		fmt.Fprintln(w)
	}

	var specs []ratioSpec
	for _, s := range ratioSpecs {
		if has(clients, s.a) && has(clients, s.b) {
			specs = append(specs, s)
		}
	}
	if len(specs) > 0 {
		fmt.Fprintf(w, "\n## Echo ratios (throughput a/b; ✗ marks a median under its target)\n\n")
		heads := make([]string, len(specs))
		for i, s := range specs {
			heads[i] = s.a + "/" + s.b
			if s.min > 0 {
				heads[i] += fmt.Sprintf(" (≥%.2f", s.min)
				if s.minSize > 0 {
					heads[i] += " from " + sizeName(s.minSize)
				}
				heads[i] += ")"
			}
		}
		fmt.Fprintf(w, "| row | %s |\n", strings.Join(heads, " | "))
		fmt.Fprintf(w, "|---|%s\n", strings.Repeat("---:|", len(specs)))
		for _, r := range rows {
			cells := make([]string, len(specs))
			for i, s := range specs {
				st, ok := summarize(pairRatios(r.Samples[s.a], r.Samples[s.b]))
				cells[i] = fmtStat(st, ok, ratioFmt)
				if ok && s.min > 0 && r.Size >= s.minSize && st.med < s.min {
					cells[i] += " ✗"
				}
			}
			fmt.Fprintf(w, "| %s | %s |\n", r.name(), strings.Join(cells, " | "))
		}
	}

	if len(specs) > 0 {
		fmt.Fprintf(w, "\n## The same ratios by client CPU time per message (b's CPU/a's CPU: above 1 means a is cheaper)\n\n")
		fmt.Fprintln(w, "CPU time per message moves much less than throughput when other processes load the machine.")
		fmt.Fprintln(w)
		heads := make([]string, len(specs))
		for i, s := range specs {
			heads[i] = s.a + "/" + s.b
		}
		fmt.Fprintf(w, "| row | %s |\n", strings.Join(heads, " | "))
		fmt.Fprintf(w, "|---|%s\n", strings.Repeat("---:|", len(specs)))
		for _, r := range rows {
			cells := make([]string, len(specs))
			for i, s := range specs {
				st, ok := summarize(pairCPURatios(r.Samples[s.a], r.Samples[s.b]))
				cells[i] = fmtStat(st, ok, ratioFmt)
			}
			fmt.Fprintf(w, "| %s | %s |\n", r.name(), strings.Join(cells, " | "))
		}
	}

	fmt.Fprintf(w, "\n## Client CPU time per message, µs (median)\n\n")
	fmt.Fprintf(w, "| row | %s |\n", strings.Join(clients, " | "))
	fmt.Fprintf(w, "|---|%s\n", strings.Repeat("---:|", len(clients)))
	for _, r := range rows {
		cells := make([]string, len(clients))
		for i, c := range clients {
			st, ok := summarize(cpus(r.Samples[c]))
			if ok {
				cells[i] = compact(st.med)
			} else {
				cells[i] = "–"
			}
		}
		fmt.Fprintf(w, "| %s | %s |\n", r.name(), strings.Join(cells, " | "))
	}

	if has(clients, cUni) && has(clients, cUniCB) {
		fmt.Fprintf(w, "\n## Dispatch: OnMessage listener (uni-cb) against Receive (uni), per message\n\n")
		fmt.Fprintln(w, "| row | Receive µs/msg | listener µs/msg | listener − Receive, wall µs | listener − Receive, CPU µs |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
		for _, r := range rows {
			if r.Size > 1024 {
				continue
			}
			u, ok1 := summarize(rates(r.Samples[cUni]))
			cb, ok2 := summarize(rates(r.Samples[cUniCB]))
			uc, ok3 := summarize(cpus(r.Samples[cUni]))
			cbc, ok4 := summarize(cpus(r.Samples[cUniCB]))
			if !(ok1 && ok2 && ok3 && ok4) {
				continue
			}
			fmt.Fprintf(w, "| %s | %.2f | %.2f | %+.2f | %+.2f |\n", r.name(), 1e6/u.med, 1e6/cb.med, 1e6/cb.med-1e6/u.med, cbc.med-uc.med)
		}
	}
}

func printConnect(w io.Writer, cfg *runConfig, rows []*connectRow) {
	var ref *connectRow
	for _, r := range rows {
		if r.Client == cCoder {
			ref = r
		}
	}
	fmt.Fprintf(w, "\n## Connect rate (TCP + upgrade on loopback), handshakes/s: %d handshakes one after another, and by %d concurrent dialers\n\n", cfg.DialN, cfg.DialConc)
	fmt.Fprintf(w, "| client | sequential | p50 µs | %d dialers | seq / coder | %d dialers / coder |\n", cfg.DialConc, cfg.DialConc)
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		seq, ok1 := summarize(connRates(r.Seq))
		p50, ok2 := summarize(connP50(r.Seq))
		conc, ok3 := summarize(connRates(r.Conc))
		rs, rc := "–", "–"
		if ref != nil {
			if st, ok := summarize(connRatios(r.Seq, ref.Seq)); ok {
				rs = fmtStat(st, true, ratioFmt)
			}
			if st, ok := summarize(connRatios(r.Conc, ref.Conc)); ok {
				rc = fmtStat(st, true, ratioFmt)
			}
		}
		p := "–"
		if ok2 {
			p = fmt.Sprintf("%.0f", p50.med)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.Client, fmtStat(seq, ok1, compact), p, fmtStat(conc, ok3, compact), rs, rc)
		for _, s := range append(append([]connectSample{}, r.Seq...), r.Conc...) {
			if s.Err != "" {
				fmt.Fprintf(w, "|   %s: %s | | | | | |\n", r.Client, s.Err)
				break
			}
		}
	}
}

func connRates(ss []connectSample) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		out[i] = s.PerSec
	}
	return out
}

func connP50(ss []connectSample) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		out[i] = s.P50us
	}
	return out
}

func connRatios(a, b []connectSample) []float64 {
	var out []float64
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i].Err == "" && b[i].Err == "" && b[i].PerSec > 0 {
			out = append(out, a[i].PerSec/b[i].PerSec)
		}
	}
	return out
}

func printIdle(w io.Writer, rows []*idleRow) {
	n := 0
	for _, r := range rows {
		n = max(n, r.N)
	}
	fmt.Fprintf(w, "\n## Memory per idle connection (%d connections, each with a parked reader; bytes per connection after GC)\n\n", n)
	fmt.Fprintln(w, "HeapAlloc is the live heap; HeapInuse adds the free room in the heap spans that live objects keep in use. The target for uni is a live heap of at most 12 KiB (12,288 B).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| client | HeapAlloc | HeapInuse | goroutine stacks | goroutines | Sys |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		if r.Err != "" {
			fmt.Fprintf(w, "| %s | %s | | | | |\n", r.Client, r.Err)
			continue
		}
		mark := ""
		if r.Client == cUni && r.HeapAlloc > 12<<10 {
			mark = " ✗"
		}
		fmt.Fprintf(w, "| %s | %.0f%s | %.0f | %.0f | %.2f | %.0f |\n", r.Client, r.HeapAlloc, mark, r.HeapInuse, r.Stack, r.Goroutines, r.Sys)
	}
}

// loadRuns reads runs saved with -json and merges them: the repetitions
// of every run are put together, in the order the files are given.
func loadRuns(paths string) (*results, error) {
	var out *results
	for _, p := range strings.Split(paths, ",") {
		b, err := os.ReadFile(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		var r results
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		if out == nil {
			out = &r
			continue
		}
		out.Seconds += r.Seconds
		out.Config.Reps += r.Config.Reps
		out.Config.DialReps += r.Config.DialReps
		for _, row := range r.Echo {
			for _, o := range out.Echo {
				if o.Mode == row.Mode && o.Size == row.Size && o.Binary == row.Binary {
					for c, ss := range row.Samples {
						o.Samples[c] = append(o.Samples[c], ss...)
					}
				}
			}
		}
		for _, row := range r.Connect {
			for _, o := range out.Connect {
				if o.Client == row.Client {
					o.Seq = append(o.Seq, row.Seq...)
					o.Conc = append(o.Conc, row.Conc...)
				}
			}
		}
	}
	return out, nil
}

// printBeforeAfter prints the key figures of two sets of runs side by side.
func printBeforeAfter(w io.Writer, before, after *results) {
	fmt.Fprintf(w, "\n## Before → after (medians of the per-repetition ratios; %d repetitions before, %d after)\n\n", before.Config.Reps, after.Config.Reps)
	specs := []ratioSpec{{cUni, cCoder, 0.95, 0}, {cUni, cGws, 1.0, 64 << 10}, {cJS, cUni, 0.7, 0}}
	heads := []string{}
	for _, s := range specs {
		heads = append(heads, s.a+"/"+s.b, s.a+"/"+s.b+" by CPU")
	}
	heads = append(heads, "uni CPU µs/msg")
	fmt.Fprintf(w, "| row | %s |\n", strings.Join(heads, " | "))
	fmt.Fprintf(w, "|---|%s\n", strings.Repeat("---:|", len(heads)))
	med := func(xs []float64) string {
		st, ok := summarize(xs)
		if !ok {
			return "–"
		}
		return ratioFmt(st.med)
	}
	for _, a := range after.Echo {
		var b *echoRow
		for _, x := range before.Echo {
			if x.Mode == a.Mode && x.Size == a.Size && x.Binary == a.Binary {
				b = x
			}
		}
		if b == nil {
			continue
		}
		var cells []string
		for _, s := range specs {
			cells = append(cells,
				med(pairRatios(b.Samples[s.a], b.Samples[s.b]))+" → "+med(pairRatios(a.Samples[s.a], a.Samples[s.b])),
				med(pairCPURatios(b.Samples[s.a], b.Samples[s.b]))+" → "+med(pairCPURatios(a.Samples[s.a], a.Samples[s.b])))
		}
		cb, ok1 := summarize(cpus(b.Samples[cUni]))
		ca, ok2 := summarize(cpus(a.Samples[cUni]))
		if ok1 && ok2 {
			cells = append(cells, compact(cb.med)+" → "+compact(ca.med))
		} else {
			cells = append(cells, "–")
		}
		fmt.Fprintf(w, "| %s | %s |\n", a.name(), strings.Join(cells, " | "))
	}
	for _, a := range after.Idle {
		for _, b := range before.Idle {
			if a.Client == cUni && b.Client == cUni && a.Err == "" && b.Err == "" {
				fmt.Fprintf(w, "\nuni, per idle connection: live heap (HeapAlloc) %.0f → %.0f B, HeapInuse %.0f → %.0f B, goroutine stack %.0f → %.0f B.\n",
					b.HeapAlloc, a.HeapAlloc, b.HeapInuse, a.HeapInuse, b.Stack, a.Stack)
			}
		}
	}
}

// failures lists what could not be measured, one line per client and
// section; a client that is not installed (skip) is not a failure.
func (r *results) failures(skip string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(what, err string) {
		if err == "" || (skip != "" && err == skip) || seen[what] {
			return
		}
		seen[what] = true
		out = append(out, what+": "+err)
	}
	for _, row := range r.Echo {
		for c, ss := range row.Samples {
			for _, s := range ss {
				add("echo "+c, s.Err)
			}
		}
	}
	for _, row := range r.Connect {
		for _, s := range append(append([]connectSample{}, row.Seq...), row.Conc...) {
			add("connect "+row.Client, s.Err)
		}
	}
	for _, row := range r.Idle {
		add("idle "+row.Client, row.Err)
	}
	sort.Strings(out)
	return out
}
