package signals_test

import (
	"testing"

	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/sim"
)

// violations parses a scenario file's text and runs it, returning the
// invariants it broke, in order, and the violations.
func violations(t *testing.T, file string, data []byte) ([]string, []sim.Violation) {
	t.Helper()
	s, err := scenarios.Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	o, err := scenarios.Run(s, false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range o.Result.Violations {
		names = append(names, v.Invariant)
	}
	return names, o.Result.Violations
}

// firstViolation is the first invariant a scenario file's text breaks, or
// "pass".
func firstViolation(t *testing.T, file string, data []byte) (string, []sim.Violation) {
	t.Helper()
	names, vs := violations(t, file, data)
	if len(names) == 0 {
		return "pass", vs
	}
	return names[0], vs
}
