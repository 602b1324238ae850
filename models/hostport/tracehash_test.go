package hostport

import (
	"testing"

	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// generatedRunsHash is the hash of runsDigest: the verdicts, event counts
// and trace hashes of the generated cases of seeds 1-300 of every built-in
// variant. Work on the model's speed must leave it as it is; a change of
// the model's behaviour on purpose updates it.
const generatedRunsHash = "c30ef8faae221f9f"

// runsDigest is modelkit.RunsDigest of the generated cases of seeds 1-300
// of every built-in variant.
func runsDigest(t *testing.T) string {
	return modelkit.RunsDigest(t, []string{"reference", "crio-1.33.0", "zero-port-unfiltered"}, 300, func(v string, seed uint64, trace bool) (sim.Result, error) {
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
