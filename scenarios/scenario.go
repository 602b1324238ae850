package scenarios

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// codec reads and writes one model's part of a scenario file: the fields
// after name, description, model, variant and seed, and before expect.
type codec interface {
	// keys are the top-level fields the model adds.
	keys() []string
	// parse builds the case from those fields.
	parse(p *parser, root *yaml.Node, f map[string]*yaml.Node, variant string) (models.Case, error)
	// format writes them, so that parse reads back the same case.
	format(b *strings.Builder, c models.Case)
}

// codecs maps a model name to its file codec; a model is usable in scenario
// files when it is registered in models and has a codec here.
var codecs = map[string]codec{}

// ModelNames lists the models scenario files can name, sorted.
func ModelNames() []string {
	var out []string
	for _, name := range models.Names() {
		if codecs[name] != nil {
			out = append(out, name)
		}
	}
	return out
}

// LookupModel returns a model scenario files can name.
func LookupModel(name string) (*models.Model, error) {
	m, ok := models.Lookup(name)
	if !ok || codecs[name] == nil {
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
	Seed        uint64
	Case        models.Case
	Expect      Expect
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
