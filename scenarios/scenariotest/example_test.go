package scenariotest_test

import (
	"testing"

	"github.com/faultsim/faultsim/scenarios/scenariotest"
)

// Conformance in a maintainer's test: a campaign against one variant; each
// distinct failure fails the test with its shrunk scenario, written under
// testdata/faultsim.
func ExampleConformance() {
	_ = func(t *testing.T) {
		scenariotest.Conformance(t, "hostport", "reference", scenariotest.Options{Scenarios: 500})
	}
}

// Replaying a directory of scenario files (a conformance failure, a
// corpus): each file is a subtest and must give its expect.
func ExampleReplayDir() {
	_ = func(t *testing.T) {
		scenariotest.ReplayDir(t, "testdata/faultsim")
	}
}

// Replaying one file.
func ExampleReplayFile() {
	_ = func(t *testing.T) {
		scenariotest.ReplayFile(t, "testdata/faultsim/hostport-reference-forwarding.yaml")
	}
}
