package cgroups

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// generatedRunsHash is the hash of runsDigest: the verdicts, event counts
// and trace hashes of the generated cases of seeds 1-60 of both built-in
// variants. Work on the simulated cgroupfs's speed must leave it as it is;
// a change of the model's behaviour on purpose updates it.
const generatedRunsHash = "c827db2259ad25bd"

// runsDigest runs each case traced and untraced and writes one line per
// case into a trace, so its Hash covers them all; the two runs must agree
// on the verdict and the events, or the trace being on changed the run.
func runsDigest(t *testing.T) *sim.Trace {
	t.Helper()
	digest := &sim.Trace{}
	for _, v := range []string{"reference", "kata-3.12.0"} {
		for seed := uint64(1); seed <= 60; seed++ {
			c := Generate(sim.NewPRNG(seed), v, GenOptions{})
			off, errOff := Run(c, nil, sim.NewPRNG(seed), false)
			on, errOn := Run(c, nil, sim.NewPRNG(seed), true)
			if fmt.Sprint(errOff) != fmt.Sprint(errOn) || !reflect.DeepEqual(off.Violations, on.Violations) || off.Events != on.Events {
				t.Fatalf("%s seed %d: untraced run gave %v, %d events, error %v; traced %v, %d events, error %v",
					v, seed, off.Violations, off.Events, errOff, on.Violations, on.Events, errOn)
			}
			digest.Add(0, v, "seed %d: %v %d events, trace %s, error %v", seed, on.Violations, on.Events, on.Trace.Hash(), errOn)
		}
	}
	return digest
}

// TestGeneratedRunsUnchanged: the trace being on or off changes no verdict
// and no event count, and the generated runs' traces are the pinned ones.
func TestGeneratedRunsUnchanged(t *testing.T) {
	if got := runsDigest(t).Hash(); got != generatedRunsHash {
		t.Fatalf("generated runs hash %s, want %s: a trace or verdict changed", got, generatedRunsHash)
	}
}
