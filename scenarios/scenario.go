package scenarios

import (
	"fmt"
	"slices"

	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/sim"
)

// Models lists the models scenario files can name.
var Models = []string{"hostport"}

// Expect is what a scenario must produce.
type Expect struct {
	// Violation is the invariant that must be broken; "" means pass.
	Violation string
}

// String renders the expectation.
func (e Expect) String() string {
	if e.Violation == "" {
		return "pass"
	}
	return "violation " + e.Violation
}

// Scenario is one parsed scenario file.
type Scenario struct {
	Path        string
	Name        string
	Description string
	Model       string
	Seed        uint64
	Case        hostport.Case
	Expect      Expect
}

// Outcome is what running a scenario produced and whether it matched.
type Outcome struct {
	Result hostport.Result
	OK     bool
	// Got summarises the result: "pass" or the violated invariants.
	Got string
}

// Run replays a scenario: simultaneous events are ordered by a PRNG seeded
// with the scenario's seed, so a replay is exact.
func Run(s *Scenario, trace bool) (Outcome, error) {
	r, err := hostport.Run(&s.Case, nil, sim.NewPRNG(s.Seed), trace)
	if err != nil {
		return Outcome{}, err
	}
	o := Outcome{Result: r, Got: "pass"}
	if len(r.Violations) > 0 {
		names := make([]string, len(r.Violations))
		for i, v := range r.Violations {
			names[i] = v.Invariant
		}
		o.Got = "violations " + fmt.Sprint(names)
	}
	if s.Expect.Violation == "" {
		o.OK = len(r.Violations) == 0
	} else {
		o.OK = r.Has(s.Expect.Violation)
	}
	return o, nil
}

// InvariantNames lists every invariant name an expect may give.
func InvariantNames() []string {
	var out []string
	for _, inv := range hostport.Invariants() {
		out = append(out, inv.Name)
	}
	slices.Sort(out)
	return out
}
