//go:build browser

package fidelity

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// differencesFile lists every known difference between the two worlds.
const differencesFile = "differences.json"

// The classes of a difference.
const (
	// inherent: cannot work in a browser (header, method, ...).
	inherent = "inherent"
	// deliberate: a documented unisocket decision; the reason says which.
	deliberate = "deliberate"
	// open: a fidelity defect to fix; the cause names its root cause.
	open = "open"
	// unclassified: written by -update for a new difference; always fails
	// until someone gives it one of the classes above.
	unclassified = "unclassified"
)

// expectations is differences.json.
type expectations struct {
	Comment     []string     `json:"comment,omitempty"`
	Differences []difference `json:"differences"`
}

// difference is one known difference: the scenario and builds it occurs
// in, its class and why, and its diff lines ("-" lines are the browser's,
// "+" lines unisocket's), which must occur exactly.
type difference struct {
	Scenario string   `json:"scenario"`
	Builds   []string `json:"builds"`
	Class    string   `json:"class"`
	Cause    string   `json:"cause"`
	Diff     []string `json:"diff"`
}

// fresh is a difference seen in this run, for -update.
type fresh struct {
	scenario, build string
	diff            []string
}

// result is one scenario run in both worlds.
type result struct {
	scenario, build    string
	browser, unisocket []string
}

func loadExpectations(t *testing.T) *expectations {
	t.Helper()
	b, err := os.ReadFile(differencesFile)
	if err != nil {
		t.Fatal(err)
	}
	var e expectations
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("%s: %v", differencesFile, err)
	}
	for _, d := range e.Differences {
		switch d.Class {
		case inherent, deliberate, open, unclassified:
		default:
			t.Fatalf("%s: %s: class %q is none of inherent, deliberate, open", differencesFile, d.Scenario, d.Class)
		}
		if d.Class != unclassified && strings.TrimSpace(d.Cause) == "" {
			t.Fatalf("%s: %s: a %s difference needs its cause", differencesFile, d.Scenario, d.Class)
		}
	}
	return &e
}

// find returns the entry for scenario in build, or nil.
func (e *expectations) find(scenario, build string) *difference {
	for i := range e.Differences {
		d := &e.Differences[i]
		if d.Scenario == scenario && slices.Contains(d.Builds, build) {
			return d
		}
	}
	return nil
}

// check compares every result with differences.json, prints each
// scenario's diff and a summary by class, and fails on an unlisted, changed
// or vanished difference. The builds it covers are the ones of this test;
// entries for other builds are left to their own test.
func check(t *testing.T, results []result, covered []string, browserLabel string) {
	t.Helper()
	exp := loadExpectations(t)
	seen := map[*difference]bool{}
	counts := map[string]int{}
	same := 0
	var report strings.Builder
	var news []fresh
	for _, r := range results {
		full, changes := diff(r.browser, r.unisocket)
		entry := exp.find(r.scenario, r.build)
		if len(changes) == 0 {
			same++
			if entry != nil {
				seen[entry] = true
				if !*update {
					t.Errorf("%s (%s): listed as a %s difference (%s), but both worlds now print the same: remove it from %s",
						r.scenario, r.build, entry.Class, entry.Cause, differencesFile)
				}
			}
			continue
		}
		class := "UNLISTED"
		if entry != nil {
			seen[entry] = true
			class = entry.Class
		}
		fmt.Fprintf(&report, "\n=== %s (%s): %s", r.scenario, r.build, class)
		if entry != nil {
			fmt.Fprintf(&report, ": %s", entry.Cause)
		}
		fmt.Fprintf(&report, "\n--- %s\n+++ unisocket run\n%s", browserLabel, strings.Join(full, "\n"))
		counts[class]++
		switch {
		case *update:
			news = append(news, fresh{r.scenario, r.build, changes})
		case entry == nil:
			t.Errorf("%s (%s): a difference that %s does not list (diff below)", r.scenario, r.build, differencesFile)
		case !slices.Equal(entry.Diff, changes):
			t.Errorf("%s (%s): the difference changed from what %s lists:\nlisted: %q\nnow:    %q", r.scenario, r.build, differencesFile, entry.Diff, changes)
		case entry.Class == unclassified:
			t.Errorf("%s (%s): difference still unclassified in %s: give it a class and a cause", r.scenario, r.build, differencesFile)
		}
	}
	t.Logf("per-scenario diff (- %s, + unisocket run, space: both):%s", browserLabel, report.String())
	var summary []string
	for _, c := range []string{inherent, deliberate, open, unclassified, "UNLISTED"} {
		if counts[c] > 0 {
			summary = append(summary, fmt.Sprintf("%s %d", c, counts[c]))
		}
	}
	line := fmt.Sprintf("summary: %d runs, %d the same, %d different", len(results), same, len(results)-same)
	if len(summary) > 0 {
		line += " (" + strings.Join(summary, ", ") + ")"
	}
	t.Log(line)
	ran := map[string]bool{}
	for _, r := range results {
		ran[r.scenario+"\x00"+r.build] = true
	}
	// A listed entry for a scenario that did not run in a covered build
	// (renamed or deleted) is stale.
	if *only == "" && !*update {
		for i := range exp.Differences {
			d := &exp.Differences[i]
			for _, b := range d.Builds {
				if slices.Contains(covered, b) && !ran[d.Scenario+"\x00"+b] {
					t.Errorf("%s lists %s (%s), which did not run", differencesFile, d.Scenario, b)
				}
			}
		}
	}
	if *update {
		rewrite(t, exp, covered, news)
	}
}

// rewrite replaces the entries of the covered builds with this run's
// differences, keeping each scenario's class and cause, and writes
// differences.json.
func rewrite(t *testing.T, exp *expectations, covered []string, news []fresh) {
	t.Helper()
	old := exp.Differences
	var kept []difference
	for _, d := range old {
		var other []string
		for _, b := range d.Builds {
			if !slices.Contains(covered, b) {
				other = append(other, b)
			}
		}
		if len(other) > 0 {
			d.Builds = other
			kept = append(kept, d)
		}
	}
	var added []difference
	for _, n := range news {
		// The same diff in another build of this run joins that entry.
		merged := false
		for i := range added {
			a := &added[i]
			if a.Scenario == n.scenario && slices.Equal(a.Diff, n.diff) {
				a.Builds = append(a.Builds, n.build)
				merged = true
				break
			}
		}
		if merged {
			continue
		}
		d := difference{Scenario: n.scenario, Builds: []string{n.build}, Class: unclassified, Diff: n.diff}
		for _, o := range old {
			if o.Scenario == n.scenario && o.Class != unclassified {
				d.Class, d.Cause = o.Class, o.Cause
				if slices.Contains(o.Builds, n.build) {
					break
				}
			}
		}
		added = append(added, d)
	}
	exp.Differences = append(kept, added...)
	slices.SortStableFunc(exp.Differences, func(a, b difference) int { return strings.Compare(a.Scenario, b.Scenario) })
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(exp); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(differencesFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", differencesFile)
	for _, d := range exp.Differences {
		if d.Class == unclassified {
			t.Errorf("%s: %s (%v) is unclassified: give it a class and a cause", differencesFile, d.Scenario, d.Builds)
		}
	}
}

// diff returns a line diff of a (the browser) against b (unisocket): the
// full listing, every line prefixed with " ", "-" or "+", and the changed
// lines alone. It is a longest-common-subsequence diff, so lines that only
// moved show as changes: order is part of the behaviour.
func diff(a, b []string) (full, changes []string) {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			full = append(full, " "+a[i])
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			full = append(full, "-"+a[i])
			changes = append(changes, "-"+a[i])
			i++
		default:
			full = append(full, "+"+b[j])
			changes = append(changes, "+"+b[j])
			j++
		}
	}
	return full, changes
}
