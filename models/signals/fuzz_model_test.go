package signals_test

import (
	"testing"

	"github.com/faultsim/faultsim/scenarios/scenariotest"
)

// FuzzSignals is the model's native fuzz target (faultsim import turns a failing
// input into a scenario file); its seed corpus is in testdata/fuzz/FuzzSignals.
func FuzzSignals(f *testing.F) { scenariotest.FuzzModel(f, "signals") }

// TestFuzzSeedCorpus checks the fuzz target's seed corpus.
func TestFuzzSeedCorpus(t *testing.T) { scenariotest.CheckSeedCorpus(t, "signals") }
