// Package shrink minimises a failing case: the greedy shrinker (the model's
// one-change simplifications, models.Case.Simplify), the choice shrinker
// (the generator's draws, deleted and lowered as rapid and Hypothesis
// shrink theirs), and the modes that combine them, which a campaign's
// --shrink flag names (best, choices, greedy, none).
package shrink

import (
	"sync/atomic"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// Violation minimises a failing case while it still breaks the invariant
// target under the same seed: it tries the case's one-change
// simplifications, biggest first, and keeps the first that still fails,
// until none does. It is deterministic: the same case, seed and target
// always give the same minimal case. runs counts the replays.
func Violation(c models.Case, seed uint64, target string) (min models.Case, runs int) {
	return Greedy(c, func(cand models.Case) bool {
		r, err := cand.Run(sim.NewPRNG(seed), false)
		return err == nil && r.Has(target)
	}, 5000, nil)
}

// Greedy is Violation over any failure predicate, with at most budget
// replays; it stops early, keeping the best case so far, when stop is set.
func Greedy(c models.Case, fails func(models.Case) bool, budget int, stop *atomic.Bool) (min models.Case, runs int) {
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

// Minimise minimises orig, which fails, as mode says; draw is a fresh
// Chooser that draws orig for variant of m (the choice shrinker replays and
// changes its choices). It returns the minimal case, the replays it took
// and which shrinker produced it. fails replays a candidate; each shrinker
// makes at most budget replays, and none once stop is set.
func Minimise(mode Mode, m *models.Model, variant string, draw sim.Chooser, orig models.Case,
	fails func(models.Case) bool, budget int, stop *atomic.Bool) (models.Case, int, string) {
	switch mode {
	case ModeNone:
		return orig, 0, "not shrunk"
	case ModeGreedy:
		min, runs := Greedy(orig, fails, budget, stop)
		return min, runs, "greedy"
	}
	cbudget := budget
	if mode == ModeBest {
		cbudget = min(budget, BestChoicesBudget)
	}
	cmin, cruns := Choices(m, variant, draw, fails, cbudget, stop)
	if mode == ModeChoices || mode == ModeRapid {
		return cmin, cruns, "choices"
	}
	after, aruns := Greedy(cmin, fails, budget, stop)
	alone, gruns := Greedy(orig, fails, budget, stop)
	if alone.Size() < after.Size() {
		return alone, cruns + aruns + gruns, "greedy"
	}
	return after, cruns + aruns + gruns, "choices+greedy"
}
