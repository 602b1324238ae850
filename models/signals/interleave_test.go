package signals

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/internal/rapidtb"
	"github.com/faultsim/faultsim/sim"
)

// runObserved runs a case and returns its result and world.
func runObserved(c *Case, ch sim.Chooser, trace bool) (sim.Result, *world, error) {
	var w *world
	testHook = func(x *world) { w = x }
	defer func() { testHook = nil }()
	r, err := Run(c, ch, trace)
	return r, w, err
}

// TestExitInsideCrunKillIsReachableReplaysAndShrinks: a process exiting
// inside crun's kill, after crun found it and before its signal, is an
// interleaving inside one OCI call. It is reachable only through the
// kill's yield point (with the kill one atomic step it is not), rapid
// finds it from the scheduler's choices it draws, shrinks it to one
// step and one container, and the seed replays it, trace and all.
func TestExitInsideCrunKillIsReachableReplaysAndShrinks(t *testing.T) {
	type found struct {
		c     *Case
		trace string
		first int // the size of the first failing case, before shrinking
	}
	search := func(seed uint64) (found, bool) {
		var last found
		obs := &rapidtb.Observer{}
		rapidtb.WithSeed(seed, func() {
			rapidtb.WithChecks(4*rapidtb.DefaultChecks, func() {
				rapid.Check(obs, func(t *rapid.T) {
					ch := sim.RapidChooser{T: t}
					c := Generate(ch, "reference")
					// The trace is on, so that the case rapid ends on can be
					// compared with its replay line for line.
					r, w, err := runObserved(c, ch, true)
					if err != nil {
						t.Fatalf("run: %v", err)
					}
					if len(r.Violations) > 0 {
						t.Fatalf("reference broke %v", r.Violations)
					}
					if w.exitsInsideKill > 0 {
						first := last.first
						if last.c == nil {
							first = c.Size()
						}
						last = found{c, r.Trace.Text(), first}
						t.Fatalf("a process exited inside crun's kill")
					}
				})
			})
		})
		return last, obs.Failed() && last.c != nil
	}
	// Seeds 25-32 (49 under -short, the quicker). Some seeds shrink to the
	// smallest case (28 and 49 of seeds 1-96 once the generator drew the
	// node's kernel and cgroup mode; 58 and 83 end on two steps, the other
	// 92 pass), so which window holds one moves whenever the generator's
	// draws do: choose it again then.
	first, seeds := uint64(25), uint64(8)
	if testing.Short() {
		first, seeds = 49, 1
	}

	smallest := 1 << 30
	for seed := first; seed < first+seeds; seed++ {
		t.Run(fmt.Sprint("seed-", seed), func(t *testing.T) {
			a, ok := search(seed)
			if !ok {
				t.Fatal("no drawn case and interleaving had a process exit inside crun's kill")
			}
			// rapid's shrinker minimises its draws, the scheduler's
			// choices among them, so the case it ends on is a local
			// minimum: one step (a stop or a graceful shutdown's calls)
			// and a few containers or faults; the smallest, one
			// container and one step, must come out of some seed
			// (checked below).
			if len(a.c.Steps) != 1 || a.c.Size() > 5 {
				t.Errorf("shrunk from size %d to %d steps, size %d; want one step, size <= 5: %+v",
					a.first, len(a.c.Steps), a.c.Size(), a.c)
			}
			t.Logf("shrunk from size %d to %d: %+v", a.first, a.c.Size(), a.c)
			smallest = min(smallest, a.c.Size())
			b, ok := search(seed)
			if !ok || b.trace != a.trace {
				t.Fatalf("the same rapid seed did not replay the same minimal case:\n%s\nthen\n%s", a.trace, b.trace)
			}
		})
	}
	if smallest > 2 {
		t.Errorf("no seed of %d shrank to one container and one step (smallest size %d)", seeds, smallest)
	}
}

// TestExitInsideCrunKillFromPRNGSeeds: a campaign's seeded draws reach the
// same window, and a seed that reaches it reaches it on every replay.
func TestExitInsideCrunKillFromPRNGSeeds(t *testing.T) {
	hits := 0
	for seed := uint64(1); seed <= 2000 && hits < 3; seed++ {
		c := Generate(sim.NewPRNG(seed), "reference")
		r, w, err := runObserved(c.Clone(), sim.NewPRNG(seed), true)
		if err != nil {
			t.Fatal(err)
		}
		if w.exitsInsideKill == 0 {
			continue
		}
		hits++
		again, w2, _ := runObserved(c.Clone(), sim.NewPRNG(seed), true)
		if w2.exitsInsideKill != w.exitsInsideKill || again.Trace.Text() != r.Trace.Text() {
			t.Fatalf("seed %d: the replay differs", seed)
		}
	}
	if hits == 0 {
		t.Fatal("2000 seeds never had a process exit inside crun's kill")
	}
}

// TestLeftoversNameWhatDidNotConverge: a run that converged leaves
// nothing; a process whose stop was asked for that still runs, or a stop
// loop that never finished, is named, unless the node has powered off.
func TestLeftoversNameWhatDidNotConverge(t *testing.T) {
	tests := []struct {
		name  string
		alter func(w *world)
		want  string
	}{
		{"converged", func(*world) {}, ""},
		{"process still runs", func(w *world) { w.crio.lookup("c").proc.Exited = false },
			"process c (pid 102) still runs; its stop was asked for with a deadline of 6s"},
		{"stop loop unfinished", func(w *world) { w.crio.lookup("c").stop.done = sim.Latch{} },
			"the stop loop of c never finished"},
		{"node off", func(w *world) { w.crio.lookup("c").proc.Exited = false; w.off = true }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{Variant: "reference", Containers: []Container{{Name: "c", Grace: time.Second}},
				Steps: []Step{{At: time.Second, Op: OpStop, Container: "c", Timeout: 5 * time.Second}}}
			w := runWorld(t, c, true)
			tt.alter(w)
			if got := strings.Join(w.leftovers(), "; "); got != tt.want {
				t.Fatalf("leftovers %q, want %q", got, tt.want)
			}
		})
	}
}
