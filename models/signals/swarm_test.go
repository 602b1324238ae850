package signals

import (
	"slices"
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// TestSwarmKnowsEveryKind: every fault kind the generator draws has its
// swarm choice (a kind missing from swarmKinds would never be swarmed).
func TestSwarmKnowsEveryKind(t *testing.T) {
	for seed := range uint64(2000) {
		for _, name := range Generate(sim.NewPRNG(seed), "reference").FaultNames() {
			if !slices.Contains(swarmKinds, name) {
				t.Fatalf("seed %d draws %s, which swarmKinds lacks", seed, name)
			}
		}
	}
}
