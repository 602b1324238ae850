package models_test

import (
	"testing"

	"github.com/faultsim/faultsim/models"
	_ "github.com/faultsim/faultsim/models/annotations"
	_ "github.com/faultsim/faultsim/models/cgroups"
	_ "github.com/faultsim/faultsim/models/hostport"
	_ "github.com/faultsim/faultsim/models/signals"
	"github.com/faultsim/faultsim/sim"
)

// pool draws n cases of a model's variant from consecutive seeds.
func pool(m *models.Model, variant string, n int) []models.Case {
	out := make([]models.Case, n)
	for i := range out {
		out[i] = m.Generate(sim.NewPRNG(uint64(i)), variant)
	}
	return out
}

// poolSize is how many distinct cases a benchmark cycles through; the
// filesystem-backed model gets fewer so -benchtime stays short.
func poolSize(m *models.Model) int {
	if m.Name == "cgroups" {
		return 32
	}
	return 256
}

// TestBare runs a few generated cases of every model and variant bare:
// a bare run must not fail where the harness's run does not.
func TestBare(t *testing.T) {
	for _, m := range models.All() {
		for _, v := range m.Variants {
			n := 200
			if m.Name == "cgroups" {
				n = 2
			}
			for i, c := range pool(m, v.Name, n) {
				b, ok := c.(models.Barer)
				if !ok {
					t.Fatalf("%s cases have no bare run: expected every model to implement models.Barer", m.Name)
				}
				if _, err := c.Run(sim.NewPRNG(uint64(i)), false); err != nil {
					continue
				}
				if err := b.RunBare(sim.NewPRNG(uint64(i))); err != nil {
					t.Errorf("%s/%s case %d: bare run failed: %v", m.Name, v.Name, i, err)
				}
			}
		}
	}
}

// BenchmarkGenerate is drawing one case from a seeded PRNG, per model.
func BenchmarkGenerate(b *testing.B) {
	for _, m := range models.All() {
		b.Run(m.Name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				m.Generate(sim.NewPRNG(uint64(i)), m.Variants[0].Name)
			}
		})
	}
}

// BenchmarkScenario is one generated case run by the harness (scheduler,
// faults, invariants after every event, no trace), per model and variant.
// It reports ns/step too: a step is one event the runner ran.
func BenchmarkScenario(b *testing.B) {
	for _, m := range models.All() {
		for _, v := range m.Variants {
			b.Run(m.Name+"/"+v.Name, func(b *testing.B) {
				cases := pool(m, v.Name, poolSize(m))
				b.ReportAllocs()
				b.ResetTimer()
				steps := 0
				for i := 0; i < b.N; i++ {
					r, err := cases[i%len(cases)].Run(sim.NewPRNG(uint64(i)), false)
					if err != nil {
						b.Fatal(err)
					}
					steps += r.Events
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(steps, 1)), "ns/step")
				b.ReportMetric(float64(steps)/float64(b.N), "steps/op")
			})
		}
	}
}

// BenchmarkBare is the same cases as BenchmarkScenario's reference run
// bare (models.Barer): harness overhead is BenchmarkScenario / BenchmarkBare.
func BenchmarkBare(b *testing.B) {
	for _, m := range models.All() {
		b.Run(m.Name+"/"+m.Variants[0].Name, func(b *testing.B) {
			cases := pool(m, m.Variants[0].Name, poolSize(m))
			if _, ok := cases[0].(models.Barer); !ok {
				b.Skipf("model %s has no bare run", m.Name)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := cases[i%len(cases)].(models.Barer).RunBare(sim.NewPRNG(uint64(i))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScenarioTraced is a run recording its full trace, as a replay does.
func BenchmarkScenarioTraced(b *testing.B) {
	for _, m := range models.All() {
		b.Run(m.Name, func(b *testing.B) {
			cases := pool(m, m.Variants[0].Name, poolSize(m))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := cases[i%len(cases)].Run(sim.NewPRNG(uint64(i)), true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
