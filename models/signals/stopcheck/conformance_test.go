package stopcheck_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/models/signals/stopcheck"
)

// TestContainerdLikeStopperConforms runs the example's user stopper, whose
// semantics differ from CRI-O's (no shared deadline loop; timeout 0 is
// SIGKILL only), through the same property.
func TestContainerdLikeStopperConforms(t *testing.T) {
	stopcheck.Conformance(t, newContainerdStopper)
}

// TestCheckInAProperty uses Check inside a property of one's own.
func TestCheckInAProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		stopcheck.Check(t, stopcheck.NewCRIOStopper)
	})
}
