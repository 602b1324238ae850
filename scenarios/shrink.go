package scenarios

import (
	"sync/atomic"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// Shrink minimises a failing case while it still breaks the invariant
// target under the same seed: it tries the case's one-change
// simplifications, biggest first, and keeps the first that still fails,
// until none does. It is deterministic: the same case, seed and target
// always give the same minimal case. runs counts the replays.
func Shrink(c models.Case, seed uint64, target string) (min models.Case, runs int) {
	return shrinkGreedy(c, func(cand models.Case) bool {
		r, err := cand.Run(sim.NewPRNG(seed), false)
		return err == nil && r.Has(target)
	}, 5000, nil)
}

// shrinkGreedy is Shrink over any failure predicate, with at most budget
// replays; it stops early, keeping the best case so far, when stop is set.
func shrinkGreedy(c models.Case, fails func(models.Case) bool, budget int, stop *atomic.Bool) (min models.Case, runs int) {
	best := c
	for progress := true; progress && runs < budget; {
		progress = false
		for _, cand := range best.Simplify() {
			if runs >= budget || (stop != nil && stop.Load()) {
				return best, runs
			}
			runs++
			if fails(cand) {
				best, progress = cand, true
				break
			}
		}
	}
	return best, runs
}

// BestChoicesBudget caps the choice shrinker's replays in the default
// "best" mode: its result is a second starting point for the model-aware
// greedy shrinker, which ends smaller on every incident failure; on the
// filesystem-backed cgroups model (~20 ms a replay) an uncapped pass would
// dominate a short campaign.
const BestChoicesBudget = 200

// shrinkCase minimises orig, which fails, as mode says; it returns the
// minimal case, the replays it took and which shrinker produced it.
func shrinkCase(mode ShrinkMode, m *models.Model, variant string, seed uint64, orig models.Case,
	fails func(models.Case) bool, budget int, stop *atomic.Bool) (models.Case, int, string) {
	switch mode {
	case ShrinkNone:
		return orig, 0, "not shrunk"
	case ShrinkGreedy:
		min, runs := shrinkGreedy(orig, fails, budget, stop)
		return min, runs, "greedy"
	}
	cbudget := budget
	if mode == ShrinkBest {
		cbudget = min(budget, BestChoicesBudget)
	}
	cmin, cruns := shrinkChoices(m, variant, seed, fails, cbudget, stop)
	if mode == ShrinkChoices || mode == ShrinkRapid {
		return cmin, cruns, "choices"
	}
	after, aruns := shrinkGreedy(cmin, fails, budget, stop)
	alone, gruns := shrinkGreedy(orig, fails, budget, stop)
	if alone.Size() < after.Size() {
		return alone, cruns + aruns + gruns, "greedy"
	}
	return after, cruns + aruns + gruns, "choices+greedy"
}
