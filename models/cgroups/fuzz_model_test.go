package cgroups_test

import (
	"testing"

	"github.com/faultsim/faultsim/scenarios/scenariotest"
)

// FuzzCgroups is the model's native fuzz target (faultsim import turns a failing
// input into a scenario file); its seed corpus is in testdata/fuzz/FuzzCgroups.
func FuzzCgroups(f *testing.F) { scenariotest.FuzzModel(f, "cgroups") }

// TestFuzzSeedCorpus checks the fuzz target's seed corpus.
func TestFuzzSeedCorpus(t *testing.T) { scenariotest.CheckSeedCorpus(t, "cgroups") }
