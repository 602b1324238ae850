package shrink

import (
	"slices"
	"sync/atomic"
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/sim"
)

// failure identifies a violation as a campaign de-duplicates it: its
// invariant and, for a crash, the function it crashed in.
func failure(v sim.Violation) string {
	if v.Site != nil {
		return v.Invariant + "@" + v.Site.Func
	}
	return v.Invariant
}

// firstFailures finds, for a model and variant, the first of seeds 1 to
// 3000 (cases drawn and run with sim.NewPRNG(seed)) that breaks each
// failure (at most n failures).
func firstFailures(t *testing.T, model, variant string, n int) (m *models.Model, seeds map[string]uint64, order []string) {
	t.Helper()
	m, err := scenarios.LookupModel(model)
	if err != nil {
		t.Fatal(err)
	}
	seeds = map[string]uint64{}
	for seed := uint64(1); seed <= 3000 && len(order) < n; seed++ {
		r, err := m.Generate(sim.NewPRNG(seed), variant).Run(sim.NewPRNG(seed), false)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range r.Violations {
			if sig := failure(v); seeds[sig] == 0 && len(order) < n {
				seeds[sig] = seed
				order = append(order, sig)
			}
		}
	}
	return m, seeds, order
}

// failsWith replays a case under seed and reports whether it breaks sig.
func failsWith(seed uint64, sig string) func(models.Case) bool {
	return func(c models.Case) bool {
		r, err := c.Run(sim.NewPRNG(seed), false)
		if err != nil {
			return false
		}
		for _, v := range r.Violations {
			if failure(v) == sig {
				return true
			}
		}
		return false
	}
}

// TestShrinkChoicesKeepsTheFailure: on the first failures of the incident
// variants, the choice shrinker ends with a case that still fails the same
// way, no larger than the one found, the same on a second run, within its
// budget; an interrupt before it starts returns the case found.
func TestShrinkChoicesKeepsTheFailure(t *testing.T) {
	for _, mv := range [][2]string{{"hostport", "crio-1.33.0"}, {"hostport", "zero-port-unfiltered"}, {"signals", "crun-1.16"}, {"annotations", "kata-3.8.0"}, {"hostname", "truncate-only"}} {
		m, seeds, order := firstFailures(t, mv[0], mv[1], 3)
		if len(order) == 0 {
			t.Fatalf("%s/%s: no failure in 3000 scenarios", mv[0], mv[1])
		}
		for _, sig := range order {
			seed := seeds[sig]
			fails := failsWith(seed, sig)
			orig := m.Generate(sim.NewPRNG(seed), mv[1])
			min, runs := Choices(m, mv[1], sim.NewPRNG(seed), fails, 3000, nil)
			switch {
			case !fails(min):
				t.Fatalf("%s: the shrunk case does not fail the same way", sig)
			case min.Size() > orig.Size():
				t.Fatalf("%s: shrunk from size %d to %d", sig, orig.Size(), min.Size())
			case runs > 3000:
				t.Fatalf("%s: %d replays past the budget", sig, runs)
			}
			again, _ := Choices(m, mv[1], sim.NewPRNG(seed), fails, 3000, nil)
			if string(scenarios.Format(&scenarios.Scenario{Name: "a", Model: mv[0], Variant: mv[1], Case: min})) !=
				string(scenarios.Format(&scenarios.Scenario{Name: "a", Model: mv[0], Variant: mv[1], Case: again})) {
				t.Fatalf("%s: two shrinks of one failure differ", sig)
			}
			var stop atomic.Bool
			stop.Store(true)
			if cut, runs := Choices(m, mv[1], sim.NewPRNG(seed), fails, 3000, &stop); runs != 0 || cut.Size() != orig.Size() {
				t.Fatalf("%s: an interrupted shrink ran %d replays", sig, runs)
			}
			t.Logf("%s: size %d -> %d in %d replays", sig, orig.Size(), min.Size(), runs)
		}
	}
}

// listCase is a case of a list of numbers, for the shrinker alone.
type listCase []int

func (listCase) VariantName() string                       { return "v" }
func (c listCase) Size() int                               { return len(c) }
func (listCase) Run(sim.Chooser, bool) (sim.Result, error) { return sim.Result{}, nil }
func (listCase) Simplify() []models.Case                   { return nil }

// TestShrinkChoicesFindsTheMinimum: a list generator (0 ends the list, each
// item a number below 100) and a failure "some number is 37 or more": from
// every seed that fails, the shrinker ends at exactly one item, 37.
func TestShrinkChoicesFindsTheMinimum(t *testing.T) {
	m := &models.Model{Name: "list", Generate: func(ch sim.Chooser, _ string) models.Case {
		var c listCase
		for ch.Intn(2) == 1 {
			c = append(c, ch.Intn(100))
		}
		return c
	}}
	fails := func(c models.Case) bool {
		return slices.ContainsFunc(c.(listCase), func(v int) bool { return v >= 37 })
	}
	tried := 0
	for seed := range uint64(200) {
		if !fails(m.Generate(sim.NewPRNG(seed), "v")) {
			continue
		}
		tried++
		min, _ := Choices(m, "v", sim.NewPRNG(seed), fails, 3000, nil)
		if got := min.(listCase); !slices.Equal(got, listCase{37}) {
			t.Fatalf("seed %d shrank to %v, want [37]", seed, got)
		}
	}
	if tried < 10 {
		t.Fatalf("only %d of 200 seeds drew a failing list", tried)
	}
}
