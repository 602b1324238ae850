package annotations

import (
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// BenchmarkScenario is one campaign scenario on the reference: draw, run,
// check (make bench).
func BenchmarkScenario(b *testing.B) {
	for i := 0; i < b.N; i++ {
		seed := uint64(i)
		c := Generate(sim.NewPRNG(seed), "reference", GenOptions{})
		if _, err := Run(c, nil, sim.NewPRNG(seed), false); err != nil {
			b.Fatal(err)
		}
	}
}
