package scenarios

import (
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// Shrink minimises a failing case while it still breaks the invariant
// target under the same seed: it tries the case's one-change
// simplifications, biggest first, and keeps the first that still fails,
// until none does. It is deterministic: the same case, seed and target
// always give the same minimal case. runs counts the replays.
func Shrink(c models.Case, seed uint64, target string) (min models.Case, runs int) {
	fails := func(cand models.Case) bool {
		runs++
		r, err := cand.Run(sim.NewPRNG(seed), false)
		return err == nil && r.Has(target)
	}
	best := c
	for progress := true; progress && runs < 5000; {
		progress = false
		for _, cand := range best.Simplify() {
			if fails(cand) {
				best, progress = cand, true
				break
			}
		}
	}
	return best, runs
}
