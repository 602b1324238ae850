package signals

import (
	"fmt"
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// TestPooledTaskCoroutinesChangeNoRun: generated runs of every variant
// whose tasks take the coroutines earlier runs (other cases, crashed and
// hung ones among them) left give the verdicts and traces they give on
// fresh coroutines; idle then leaves none parked.
func TestPooledTaskCoroutinesChangeNoRun(t *testing.T) {
	seeds := uint64(400)
	if testing.Short() {
		seeds = 100
	}
	digest := func(c *Case, seed uint64) string {
		r, err := Run(c, sim.NewPRNG(seed), true)
		return fmt.Sprintf("%v %v %d events, trace %s", err, r.Violations, r.Events, r.Trace.Hash())
	}
	type key struct {
		variant string
		seed    uint64
	}
	fresh := map[key]string{}
	for _, v := range Variants.Names() {
		for seed := uint64(1); seed <= seeds; seed++ {
			if err := idle(); err != nil {
				t.Fatal(err)
			}
			fresh[key{v, seed}] = digest(Generate(sim.NewPRNG(seed), v), seed)
		}
	}
	before := taskCoroutines.Stats()
	for _, v := range Variants.Names() {
		for seed := seeds; seed >= 1; seed-- { // after other cases than the first pass
			if got, want := digest(Generate(sim.NewPRNG(seed), v), seed), fresh[key{v, seed}]; got != want {
				t.Fatalf("%s seed %d on pooled coroutines: %s, on fresh ones %s", v, seed, got, want)
			}
		}
	}
	if st := taskCoroutines.Stats(); st.Reused-before.Reused < 2*int(seeds) || st.Idle == 0 {
		t.Fatalf("%+v (before the second pass %+v): expected the tasks on reused coroutines", st, before)
	}
	if err := idle(); err != nil {
		t.Fatal(err)
	}
	if st := taskCoroutines.Stats(); st.Idle != 0 {
		t.Fatalf("after idle: %+v, want none idle", st)
	}
}
