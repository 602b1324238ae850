package scenarios

import (
	"os"
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// BenchmarkParse is parsing one scenario file of each model's codec.
func BenchmarkParse(b *testing.B) {
	for _, f := range []string{
		"corpus/incident-1-crio-1.33.0-crash.yaml",
		"corpus/incident-2-crun-1.16-first-signal-is-sigkill.yaml",
		"corpus/incident-3-al2-kata-3.12.0-crash.yaml",
		"corpus/incident-4-kata-3.8.0-nil-map.yaml",
	} {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f[len("corpus/"):], func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if _, err := Parse(f, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkShrink is shrinking a typical failure: the first failing case
// a campaign of hostport's crio-1.33.0 finds at seed 1.
func BenchmarkShrink(b *testing.B) {
	m, _ := models.Lookup("hostport")
	var c models.Case
	var seed uint64
	var target string
	for i := int64(0); c == nil && i < 100000; i++ {
		seed = caseSeed(1, i)
		cand := m.Generate(sim.NewPRNG(seed), "crio-1.33.0")
		if r, err := cand.Run(sim.NewPRNG(seed), false); err == nil && r.Violated() != "" {
			c, target = cand, r.Violated()
		}
	}
	if c == nil {
		b.Fatal("no failure of hostport/crio-1.33.0 in 100000 scenarios of seed 1")
	}
	b.ReportAllocs()
	b.ResetTimer()
	runs := 0
	for i := 0; i < b.N; i++ {
		min, n := Shrink(c, seed, target)
		runs += n
		if min.Size() > c.Size() {
			b.Fatalf("shrunk to size %d from %d", min.Size(), c.Size())
		}
	}
	b.ReportMetric(float64(runs)/float64(b.N), "replays/op")
	b.ReportMetric(float64(c.Size()), "size-before")
}
