package hostport_test

import (
	"testing"

	"github.com/faultsim/faultsim/scenarios/scenariotest"
)

// FuzzHostport is the model's native fuzz target (faultsim import turns a failing
// input into a scenario file); its seed corpus is in testdata/fuzz/FuzzHostport.
func FuzzHostport(f *testing.F) { scenariotest.FuzzModel(f, "hostport") }

// TestFuzzSeedCorpus checks the fuzz target's seed corpus.
func TestFuzzSeedCorpus(t *testing.T) { scenariotest.CheckSeedCorpus(t, "hostport") }
