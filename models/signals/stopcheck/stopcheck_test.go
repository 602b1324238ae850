package stopcheck

import (
	"flag"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Failures observed on purpose must not leave rapid fail files behind.
	_ = flag.Set("rapid.nofailfile", "true")
	goleak.VerifyTestMain(m)
}
