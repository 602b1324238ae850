package shrink

import (
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// BenchmarkShrink is shrinking a typical failure: hostport crio-1.33.0's
// first failing case of seeds 1, 2, ... (drawn with sim.NewPRNG(seed)).
func BenchmarkShrink(b *testing.B) {
	m, _ := models.Lookup("hostport")
	var c models.Case
	var seed uint64
	var target string
	for i := uint64(1); c == nil && i <= 100000; i++ {
		seed = i
		cand := m.Generate(sim.NewPRNG(seed), "crio-1.33.0")
		if r, err := cand.Run(sim.NewPRNG(seed), false); err == nil && r.Violated() != "" {
			c, target = cand, r.Violated()
		}
	}
	if c == nil {
		b.Fatal("no failure of hostport/crio-1.33.0 in seeds 1 to 100000")
	}
	b.ReportAllocs()
	b.ResetTimer()
	runs := 0
	for i := 0; i < b.N; i++ {
		min, n := Violation(c, seed, target)
		runs += n
		if min.Size() > c.Size() {
			b.Fatalf("shrunk to size %d from %d", min.Size(), c.Size())
		}
	}
	b.ReportMetric(float64(runs)/float64(b.N), "replays/op")
	b.ReportMetric(float64(c.Size()), "size-before")
}
