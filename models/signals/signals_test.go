package signals

import (
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/internal/rapidtb"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

func TestMain(m *testing.M) {
	// Failures observed on purpose must not leave rapid fail files behind.
	_ = flag.Set("rapid.nofailfile", "true")
	goleak.VerifyTestMain(models.Releasing(m))
}

// property draws a case and its interleavings from rapid and fails on any
// violated invariant; failed receives every failing case, so the last one
// is rapid's minimal case.
func property(variant string, failed func(*Case, sim.Result)) func(*rapid.T) {
	return func(t *rapid.T) {
		ch := sim.RapidChooser{T: t}
		c := Generate(ch, variant)
		r, err := Run(c, ch, false)
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		if len(r.Violations) > 0 {
			if failed != nil {
				failed(c, r)
			}
			t.Fatalf("%s", r.Violations[0])
		}
	}
}

func TestReferencePassesTheProperty(t *testing.T) {
	rapid.Check(t, property("reference", nil))
}

// TestPropertyFindsCrun116AndShrinks runs the unchanged property against the
// buggy variants and checks that it fails with a minimal case.
func TestPropertyFindsBuggyVariantsAndShrinks(t *testing.T) {
	seeds := 8 // rapid seeds per variant; -short: 2
	if testing.Short() {
		seeds = 2
	}
	for _, tt := range []struct {
		variant  string
		maxSize  int
		wantsAny []string
	}{
		{"crun-1.16", 1, []string{InvScopeProps.Name}},
		{"crio-crun-1.17", 2, []string{InvStopSignalFirst.Name}},
	} {
		for seed := 1; seed <= seeds; seed++ {
			t.Run(fmt.Sprintf("%s/seed-%d", tt.variant, seed), func(t *testing.T) {
				// A fixed rapid seed and number of checks (also under -short)
				// make the search and the shrink reproducible.
				var last *Case
				var lastResult sim.Result
				obs := &rapidtb.Observer{}
				rapidtb.WithSeed(uint64(seed), func() {
					rapidtb.WithChecks(rapidtb.DefaultChecks, func() {
						rapid.Check(obs, property(tt.variant, func(c *Case, r sim.Result) { last, lastResult = c, r }))
					})
				})
				if !obs.Failed() || last == nil {
					t.Fatalf("the property did not fail for %s", tt.variant)
				}
				if last.Size() > tt.maxSize {
					t.Errorf("shrunk case has size %d, want <= %d: %+v", last.Size(), tt.maxSize, last)
				}
				found := false
				for _, name := range tt.wantsAny {
					found = found || lastResult.Has(name)
				}
				if !found {
					t.Errorf("shrunk case broke %v, want one of %v", lastResult.Violations, tt.wantsAny)
				}
			})
		}
	}
}

// TestShutdownFailureIsFoundFromSeeds draws cases from seeds, as a
// campaign does, and checks that crun-1.16's graceful-stop failure itself
// (not only the scope check) is found, and never on the reference.
func TestShutdownFailureIsFoundFromSeeds(t *testing.T) {
	found := map[string]int{}
	for seed := uint64(1); seed <= 3000; seed++ {
		for _, v := range []string{"reference", "crun-1.16"} {
			c := Generate(sim.NewPRNG(seed), v)
			r, err := Run(c, sim.NewPRNG(seed), false)
			if err != nil {
				t.Fatal(err)
			}
			if v == "reference" && len(r.Violations) > 0 {
				t.Fatalf("reference, seed %d: %v\n%+v", seed, r.Violations, c)
			}
			for _, inv := range []string{InvNoEarlyKill.Name, InvStopSignalFirst.Name, InvGracefulExit.Name} {
				if r.Has(inv) {
					found[v+"/"+inv]++
				}
			}
		}
	}
	for _, inv := range []string{InvNoEarlyKill.Name, InvStopSignalFirst.Name, InvGracefulExit.Name} {
		if found["crun-1.16/"+inv] == 0 {
			t.Errorf("crun-1.16: %s never broken in 3000 seeds", inv)
		}
	}
}

func TestRunIsDeterministic(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		c := Generate(sim.NewPRNG(seed), "crun-1.16")
		a, _ := Run(c, sim.NewPRNG(seed), true)
		b, _ := Run(c.Clone(), sim.NewPRNG(seed), true)
		if a.Trace.Text() != b.Trace.Text() {
			t.Fatalf("seed %d: two runs differ", seed)
		}
	}
}

func TestGVariant(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"true", "true", ""},
		{"uint64 30000000", "30000000", ""},
		{"15", "15", ""},
		{"'inactive-or-failed'", "inactive-or-failed", ""},
		{"['crio.service']", "crio.service", ""},
		{"['a.service', 'b.service']", "a.service b.service", ""},
		{"uint64 0", "0", ""},
		{"uint64 007", "7", ""},
		{"uint64 18446744073709551616", "", "expected uint64 N"},
		{"[ 'crio.service' ]", "crio.service", ""},
		{"[]", "", "list of quoted strings"},
		{"['a.service', true]", "", "list of quoted strings"},
		{"uint64 x", "", "expected uint64 N"},
		{"[true]", "", "list of quoted strings"},
		{"maybe", "", "expected a GVariant"},
	}
	for _, tt := range tests {
		got, err := gvariant(tt.in)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("gvariant(%q) = %q, %v; want %q, error containing %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestStopLoopSemantics checks CRI-O's stop loop on a few hand-made cases:
// when the SIGKILL comes and when each caller is answered.
func TestStopLoopSemantics(t *testing.T) {
	tests := []struct {
		name     string
		cleanup  time.Duration
		ignore   bool
		steps    []Step
		killedAt time.Duration // 0: exits on its own
		exitAt   time.Duration
	}{
		{"graceful within timeout", 2 * time.Second, false, []Step{{At: time.Second, Op: OpStop, Container: "c", Timeout: 10 * time.Second}}, 0, 3 * time.Second},
		{"sigkill at deadline", 0, true, []Step{{At: time.Second, Op: OpStop, Container: "c", Timeout: 5 * time.Second}}, 6 * time.Second, 6 * time.Second},
		{"second call moves deadline earlier", 0, true, []Step{{At: time.Second, Op: OpStop, Container: "c", Timeout: 30 * time.Second}, {At: 2 * time.Second, Op: OpStop, Container: "c", Timeout: time.Second}}, 3 * time.Second, 3 * time.Second},
		{"later longer call does not extend", 0, true, []Step{{At: time.Second, Op: OpStop, Container: "c", Timeout: 2 * time.Second}, {At: 2 * time.Second, Op: OpStop, Container: "c", Timeout: 60 * time.Second}}, 3 * time.Second, 3 * time.Second},
		{"timeout 0", 10 * time.Second, false, []Step{{At: time.Second, Op: OpStop, Container: "c", Timeout: 0}}, time.Second, time.Second},
		{"delete-pod uses at least 2s", 0, true, []Step{{At: time.Second, Op: OpDelete, Container: "c"}}, 3 * time.Second, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{Variant: "reference", Containers: []Container{{Name: "c", Grace: time.Second, Cleanup: tt.cleanup}}, Steps: tt.steps}
			w := runWorld(t, c, tt.ignore)
			p := w.crio.lookup("c").proc
			if !p.Exited || p.ExitedAt != tt.exitAt {
				t.Fatalf("exited %v at %s, want at %s", p.Exited, p.ExitedAt, tt.exitAt)
			}
			if (tt.killedAt != 0) != (p.KilledBy == 9) {
				t.Fatalf("killed by %v, want SIGKILL %v", p.KilledBy, tt.killedAt != 0)
			}
		})
	}
}

// runWorld runs a case and returns its world for inspection.
func runWorld(t *testing.T, c *Case, ignore bool) *world {
	t.Helper()
	if ignore {
		c.Faults = append(c.Faults, IgnoresStopSignal{Container: "c"})
	}
	var got *world
	testHook = func(w *world) { got = w }
	defer func() { testHook = nil }()
	r, err := Run(c, sim.NewPRNG(1), true)
	if err != nil || len(r.Violations) > 0 {
		t.Fatalf("run: %v %v\n%s", err, r.Violations, r.Trace.Text())
	}
	return got
}
