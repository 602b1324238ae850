package hostname_test

import (
	"testing"

	"github.com/faultsim/faultsim/scenarios/scenariotest"
)

// FuzzHostname is the model's native fuzz target (faultsim import turns a
// failing input into a scenario file); its seed corpus is in
// testdata/fuzz/FuzzHostname.
func FuzzHostname(f *testing.F) { scenariotest.FuzzModel(f, "hostname") }

// TestFuzzSeedCorpus checks the fuzz target's seed corpus.
func TestFuzzSeedCorpus(t *testing.T) { scenariotest.CheckSeedCorpus(t, "hostname") }
