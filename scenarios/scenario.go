package scenarios

import (
	"fmt"
	"strings"

	"github.com/faultsim/faultsim/models"
	_ "github.com/faultsim/faultsim/models/all" // every model, for scenario files
	"github.com/faultsim/faultsim/sim"
)

// ModelNames lists the models scenario files can name (those with a
// codec), sorted.
func ModelNames() []string {
	var out []string
	for _, m := range models.All() {
		if m.Codec != nil {
			out = append(out, m.Name)
		}
	}
	return out
}

// LookupModel returns a model scenario files can name.
func LookupModel(name string) (*models.Model, error) {
	m, ok := models.Lookup(name)
	if !ok || m.Codec == nil {
		return nil, fmt.Errorf("unknown model %q: expected one of %s", name, strings.Join(ModelNames(), ", "))
	}
	return m, nil
}

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
	Variant     string
	// Origin is where the variant lives when a user's test registered it.
	Origin *models.Origin
	Seed   uint64
	Case   models.Case
	Expect Expect
}

// Outcome is what running a scenario produced and whether it matched.
type Outcome struct {
	Result sim.Result
	OK     bool
	// Got summarises the result: "pass" or the violated invariants.
	Got string
}

// Run replays a scenario: simultaneous events are ordered by a PRNG seeded
// with the scenario's seed, so a replay is exact.
func Run(s *Scenario, trace bool) (Outcome, error) {
	r, err := s.Case.Run(sim.NewPRNG(s.Seed), trace)
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
