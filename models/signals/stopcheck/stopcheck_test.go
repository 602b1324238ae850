package stopcheck

import (
	"flag"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/models"
)

func TestMain(m *testing.M) {
	// Failures observed on purpose must not leave rapid fail files behind.
	_ = flag.Set("rapid.nofailfile", "true")
	goleak.VerifyTestMain(models.Releasing(m))
}
