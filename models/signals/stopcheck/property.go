package stopcheck

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/sim"
)

// Checker runs cases against a Stopper and checks the invariants. The zero
// value is ready to use.
type Checker struct {
	// Failed, if not nil, receives the result of every failing case, so the
	// last one it gets is rapid's minimal case.
	Failed func(*Result)
	// Bubbles, if not nil, is the test under which each case's synctest
	// bubble is made (synctest.Test); the property's own failures still go
	// to its *rapid.T. It lets the property run under a rapid.TB that is
	// not a *testing.T (rapid.SyncTest needs one), such as a recorder that
	// observes a failure without failing the test. When nil, cases run in
	// rapid.SyncTest.
	Bubbles *testing.T
	// Stall is how much real time one case may take before the checker
	// gives up on it; 0 means DefaultStall. See watch.
	Stall time.Duration
}

// Check draws one case with t (see Generate), runs it against the Stopper
// newStopper builds, each case in a fresh synctest bubble, and fails t with
// the violated invariant and the case, after logging the details and the
// timeline.
func (ck Checker) Check(t *rapid.T, newStopper NewStopper) {
	t.Helper()
	c := Generate(sim.RapidChooser{T: t})
	var r *Result
	if ck.Bubbles != nil {
		r = ck.Run(ck.Bubbles, c, newStopper)
	} else {
		defer watch(c, ck.Stall)()
		rapid.SyncTest(t, func(*rapid.T) { r = runCase(c, newStopper) })
	}
	if len(r.Violations) > 0 {
		if ck.Failed != nil {
			ck.Failed(r)
		}
		// The failure itself names only the invariant and the case: rapid
		// runs a shrunk case twice and stops shrinking if the two failures
		// differ, and the details (when exactly a tie at one instant went
		// one way or the other) may legitimately differ between runs.
		t.Logf("%s", r)
		t.Fatalf("stopcheck: %s violated\n%s", r.Violated(), Describe(c))
	}
}

// Property returns Check as a rapid property.
func (ck Checker) Property(newStopper NewStopper) func(*rapid.T) {
	return func(t *rapid.T) { ck.Check(t, newStopper) }
}

// Run runs one given case against a Stopper in a synctest bubble made
// under t, and returns what happened; it does not fail t on a violation.
// Use it to replay a case, or in table-driven tests.
func (ck Checker) Run(t *testing.T, c Case, newStopper NewStopper) *Result {
	t.Helper()
	defer watch(c, ck.Stall)()
	var r *Result
	var panicked any
	func() {
		defer func() {
			if v := recover(); v != nil {
				panicked = v
			}
		}()
		synctest.Test(t, func(*testing.T) {
			defer func() {
				if v := recover(); v != nil {
					panicked = v
				}
			}()
			r = runCase(c, newStopper)
		})
	}()
	if panicked != nil {
		// A panic in the checker, or synctest's deadlock report: goroutines
		// the Stopper started were still blocked when the case ended.
		panic(fmt.Sprintf("stopcheck: %v\n%s", panicked, Describe(c)))
	}
	return r
}

// Check checks one drawn case with the default Checker; call it from a
// property given to rapid.Check with a *testing.T.
func Check(t *rapid.T, newStopper NewStopper) {
	t.Helper()
	Checker{}.Check(t, newStopper)
}

// Property returns the stop property with the default Checker:
//
//	rapid.Check(t, stopcheck.Property(newMyStopper))
func Property(newStopper NewStopper) func(*rapid.T) {
	return Checker{}.Property(newStopper)
}

// Conformance checks a StopContainer implementation against every
// invariant with rapid and fails t with the minimal case that breaks one.
func Conformance(t *testing.T, newStopper NewStopper) {
	t.Helper()
	rapid.Check(t, Property(newStopper))
}
