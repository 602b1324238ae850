package annotations_test

import (
	"testing"

	"github.com/faultsim/faultsim/scenarios/scenariotest"
)

// FuzzAnnotations is the model's native fuzz target (faultsim import turns a failing
// input into a scenario file); its seed corpus is in testdata/fuzz/FuzzAnnotations.
func FuzzAnnotations(f *testing.F) { scenariotest.FuzzModel(f, "annotations") }

// TestFuzzSeedCorpus checks the fuzz target's seed corpus.
func TestFuzzSeedCorpus(t *testing.T) { scenariotest.CheckSeedCorpus(t, "annotations") }
