package modelkit_test

import (
	"fmt"
	"time"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

type step struct{ At time.Duration }

type kase struct{ Steps []step }

func (c *kase) VariantName() string                       { return "reference" }
func (c *kase) Size() int                                 { return len(c.Steps) }
func (c *kase) Run(sim.Chooser, bool) (sim.Result, error) { return sim.Result{}, nil }
func (c *kase) Clone() *kase                              { return &kase{Steps: append([]step(nil), c.Steps...)} }

// Simplify is how a model writes its simplifications with the kit.
func (c *kase) Simplify() []models.Case {
	s := modelkit.NewSimplifier(c, (*kase).Clone)
	modelkit.DropEach(s, func(d *kase) *[]step { return &d.Steps })
	modelkit.PullEachEarlier(s, func(d *kase) *[]step { return &d.Steps }, func(s *step) *time.Duration { return &s.At }, 0)
	return s.Cases()
}

func ExampleNewSimplifier() {
	c := &kase{Steps: []step{{time.Second}, {3 * time.Second}}}
	for _, d := range c.Simplify() {
		fmt.Println(d.(*kase).Steps)
	}
	// Output:
	// [{3s}]
	// [{1s}]
	// [{0s} {2s}]
	// [{1s} {1s}]
}

func ExampleVariants() {
	m := &models.Model{Name: "greeter"}
	vs := modelkit.NewVariants(
		modelkit.Variant[func() string]{Variant: models.Variant{Name: "reference"}, Build: func() string { return "hello" }},
	)
	vs.Bind(m)
	v, _ := vs.Lookup("reference")
	fmt.Println(v.Build(), m.Variants[0].Name)
	_, err := vs.Lookup("polite")
	fmt.Println(err)
	// Output:
	// hello reference
	// unknown greeter variant "polite": expected one of reference
}
