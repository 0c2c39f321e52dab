package load_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/unisocket/unisocket/load"
)

// union merges the plans of segments 1/n … n/n into one, sorted as the
// single process's plan is.
func union(t *testing.T, o load.Options, n int) load.Plan {
	t.Helper()
	var u load.Plan
	for i := 1; i <= n; i++ {
		o.Segment = load.Segment{I: i, N: n}
		p, err := load.PlanFor(o)
		if err != nil {
			t.Fatal(err)
		}
		u.VUs = append(u.VUs, p.VUs...)
		u.Arrivals = append(u.Arrivals, p.Arrivals...)
		u.Iterations = append(u.Iterations, p.Iterations...)
		u.End = p.End
	}
	slices.SortFunc(u.VUs, func(a, b load.PlannedVU) int { return a.ID - b.ID })
	slices.SortFunc(u.Arrivals, func(a, b load.Arrival) int { return a.N - b.N })
	slices.Sort(u.Iterations)
	return u
}

func TestSegmentsUnionIsTheWholeSchedule(t *testing.T) {
	cases := map[string]load.Options{
		"constant": {VUs: 7, Duration: 10 * time.Second},
		"stages": {Stages: []load.Stage{
			{Duration: 30 * time.Second, Target: 10}, {Duration: time.Minute, Target: 10},
			{Duration: 0, Target: 3}, {Duration: 20 * time.Second, Target: 0},
		}},
		"rate":       {Rate: 7.5, VUs: 6, Duration: 4 * time.Second},
		"iterations": {Iterations: 23, VUs: 5},
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			whole, err := load.PlanFor(o)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []int{1, 2, 3, 4} {
				if got := union(t, o, n); !reflect.DeepEqual(got, whole) {
					t.Errorf("%d segments:\n got  %+v\n want %+v", n, got, whole)
				}
			}
		})
	}
}

func TestSegmentsAreDisjoint(t *testing.T) {
	o := load.Options{Rate: 10, VUs: 8, Duration: 3 * time.Second}
	seen := map[int]int{}
	for i := 1; i <= 3; i++ {
		o.Segment = load.Segment{I: i, N: 3}
		p, err := load.PlanFor(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range p.Arrivals {
			if s, dup := seen[a.N]; dup {
				t.Fatalf("arrival %d in segments %d and %d", a.N, s, i)
			}
			seen[a.N] = i
		}
	}
	if len(seen) != 30 {
		t.Fatalf("%d arrivals in all, want 30 (10/s for 3 s)", len(seen))
	}
}

func TestStageWindows(t *testing.T) {
	p, err := load.PlanFor(load.Options{Stages: []load.Stage{
		{Duration: 10 * time.Second, Target: 2},
		{Duration: 10 * time.Second, Target: 2},
		{Duration: 10 * time.Second, Target: 0},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []load.PlannedVU{
		{ID: 1, Active: []load.Window{{Start: 5 * time.Second, End: 25 * time.Second}}},
		{ID: 2, Active: []load.Window{{Start: 10 * time.Second, End: 20 * time.Second}}},
	}
	if !reflect.DeepEqual(p.VUs, want) {
		t.Fatalf("got %+v\nwant %+v", p.VUs, want)
	}
}

func TestBadOptions(t *testing.T) {
	for _, c := range []struct {
		o    load.Options
		want string
	}{
		{load.Options{VUs: 2}, "--duration: a duration is needed (e.g. --duration 30s), or --iterations or --stage"},
		{load.Options{VUs: -1, Duration: time.Second}, "--vus -1: must be 1 or more"},
		{load.Options{Iterations: 3, Segment: load.Segment{I: 3, N: 2}}, "--segment 3/2: want I/N with 1 ≤ I ≤ N"},
	} {
		_, err := load.PlanFor(c.o)
		if err == nil || err.Error() != c.want {
			t.Errorf("%+v: got %v, want %q", c.o, err, c.want)
		}
	}
	for _, s := range []string{"30s", "x:3", "30s:-1", "30s:many"} {
		if _, err := load.ParseStage(s); err == nil {
			t.Errorf("ParseStage(%q) accepted", s)
		}
	}
	for _, s := range []string{"0/2", "3/2", "1", "a/b", "1/0"} {
		if _, err := load.ParseSegment(s); err == nil {
			t.Errorf("ParseSegment(%q) accepted", s)
		}
	}
}
