package all_test

import (
	"slices"
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// TestEveryCaseListsItsFaults: every model's cases name their faults
// (models.FaultLister), sorted and once each, and each name is a fault the
// model consumes or owns.
func TestEveryCaseListsItsFaults(t *testing.T) {
	for _, m := range models.All() {
		own := map[string]bool{}
		for _, f := range m.OwnFaults {
			own[f.Name] = true
		}
		for seed := range uint64(200) {
			c := m.Generate(sim.NewPRNG(seed), m.Variants[0].Name)
			fl, ok := c.(models.FaultLister)
			if !ok {
				t.Fatalf("%s cases do not list their faults: expected models.FaultLister", m.Name)
			}
			names := fl.FaultNames()
			if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
				t.Fatalf("%s seed %d: %v, want sorted and once each", m.Name, seed, names)
			}
			for _, n := range names {
				if !m.Consumes(n) && !own[n] {
					t.Errorf("%s seed %d: fault %q is neither consumed nor owned by the model", m.Name, seed, n)
				}
			}
		}
	}
}

// TestSwarmKnowsEveryKind: every fault kind a model's generator draws has
// its swarm choice (a kind missing from SwarmKinds would never be
// swarmed); a model whose generator draws no fault lists none.
func TestSwarmKnowsEveryKind(t *testing.T) {
	for _, m := range models.All() {
		for seed := range uint64(2000) {
			for _, name := range m.Generate(sim.NewPRNG(seed), m.Variants[0].Name).(models.FaultLister).FaultNames() {
				if !slices.Contains(m.SwarmKinds, name) {
					t.Fatalf("%s seed %d draws %s, which its SwarmKinds lack", m.Name, seed, name)
				}
			}
		}
	}
}
