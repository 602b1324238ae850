package cgroups

import (
	"testing"

	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// generatedRunsHash is the hash of runsDigest: the verdicts, event counts
// and trace hashes of the generated cases of seeds 1-60 of both built-in
// variants. Work on the simulated cgroupfs's speed must leave it as it is;
// a change of the model's behaviour on purpose updates it.
const generatedRunsHash = "c827db2259ad25bd"

// runsDigest is modelkit.RunsDigest of the generated cases of seeds 1-60
// of every built-in variant.
func runsDigest(t *testing.T) string {
	return modelkit.RunsDigest(t, []string{"reference", "kata-3.12.0"}, 60, func(v string, seed uint64, trace bool) (sim.Result, error) {
		return Run(Generate(sim.NewPRNG(seed), v, GenOptions{}), nil, sim.NewPRNG(seed), trace)
	})
}

// TestGeneratedRunsUnchanged: the trace being on or off changes no verdict
// and no event count, and the generated runs' traces are the pinned ones.
func TestGeneratedRunsUnchanged(t *testing.T) {
	if got := runsDigest(t); got != generatedRunsHash {
		t.Fatalf("generated runs hash %s, want %s: a trace or verdict changed", got, generatedRunsHash)
	}
}
