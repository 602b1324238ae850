package rapidtb

import (
	"flag"
	"testing"

	"go.uber.org/goleak"
	"pgregory.net/rapid"
)

func TestMain(m *testing.M) {
	// The failure observed on purpose must not leave a rapid fail file.
	_ = flag.Set("rapid.nofailfile", "true")
	goleak.VerifyTestMain(m)
}

func TestObserverRecordsAFailingProperty(t *testing.T) {
	var pass Observer
	rapid.Check(&pass, func(t *rapid.T) { _ = rapid.IntRange(0, 9).Draw(t, "x") })
	if pass.Failed() {
		t.Fatalf("a passing property was recorded as failed: %v", pass.Messages())
	}
	var fail Observer
	rapid.Check(&fail, func(t *rapid.T) {
		if x := rapid.IntRange(0, 100).Draw(t, "x"); x > 10 {
			t.Fatalf("x = %d", x)
		}
	})
	if !fail.Failed() || len(fail.Messages()) == 0 {
		t.Fatalf("a failing property was not recorded: %v", fail.Messages())
	}
}
