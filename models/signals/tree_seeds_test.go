package signals

import (
	"strings"
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// TestTreesFromSeeds: the generator's cases with process trees keep every
// invariant on the reference, and a campaign's seeded draws reach crun's
// kill -a (a host-pid container whose process exited with children left).
func TestTreesFromSeeds(t *testing.T) {
	seeds := uint64(3000)
	if testing.Short() {
		seeds = 400
	}
	trees, killAll := 0, 0
	for seed := uint64(1); seed <= seeds; seed++ {
		c := Generate(sim.NewPRNG(seed), "reference")
		hasTree := false
		for _, ct := range c.Containers {
			hasTree = hasTree || ct.HostPID || len(ct.Children) > 0
		}
		if !hasTree {
			continue
		}
		trees++
		r, err := Run(c, sim.NewPRNG(seed), true)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Violations) > 0 {
			t.Fatalf("seed %d: the reference broke %v", seed, r.Violations)
		}
		if strings.Contains(r.Trace.Text(), "-> crun: kill -a") {
			killAll++
		}
	}
	t.Logf("%d of %d cases with a process tree, %d reaching kill -a", trees, seeds, killAll)
	if trees == 0 || killAll == 0 {
		t.Errorf("%d cases with a process tree, %d reaching kill -a, of %d seeds", trees, killAll, seeds)
	}
}
