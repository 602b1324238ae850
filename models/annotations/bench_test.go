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

// BenchmarkShimDecode is the decode the shim under test does in a
// scenario, and nothing else: DecodeSpec (encoding/json into runtime-spec's
// Spec, as Kata's shim) of every create's config.json of a generated case.
// No harness can make a scenario cheaper than this.
func BenchmarkShimDecode(b *testing.B) {
	texts := make([][][]byte, 256)
	for i := range texts {
		for _, s := range Generate(sim.NewPRNG(uint64(i)), "reference", GenOptions{}).Steps {
			if s.Op == OpCreate {
				texts[i] = append(texts[i], []byte(s.Spec))
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, raw := range texts[i%len(texts)] {
			_, _ = DecodeSpec(raw) // some texts are drawn not to decode
		}
	}
}
