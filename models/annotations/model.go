package annotations

import (
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// Variant is a named Shim implementation.
type Variant struct {
	Name    string
	Summary string
	Build   Builder
	// Buggy variants reproduce an incident; campaigns must find them.
	Buggy bool
}

// Variants lists the built-in variants.
var Variants = []Variant{
	{"reference", "Kata 3.9.0: the CDI GPU annotation makes the spec's annotation map when the decoded spec has none (kata-containers#10276)", NewReference, false},
	{"kata-3.8.0", "Kata 3.6.0-3.8.x: the CDI GPU annotation is written into the decoded spec's map, nil without annotations: \"assignment to entry in nil map\" (kata-containers#10266)", NewKata380, true},
}

// LookupVariant returns a built-in variant by name.
func LookupVariant(name string) (Variant, error) {
	for _, v := range Variants {
		if v.Name == name {
			return v, nil
		}
	}
	_, err := Model.Variant(name) // its error lists the known variants
	return Variant{}, err
}

// Model describes the annotations model to faultsim's generic machinery.
var Model = &models.Model{
	Name:       "annotations",
	Summary:    "Kata-like shim annotation store over runtime-spec: CRI and ctr specs, CDI GPU annotations of VFIO devices",
	Invariants: Invariants(),
	Codec:      codec{},
	Actors:     []string{"containerd", "kata"},
	Faults:     faults.MapFaultNames(),
	OwnFaults:  vfioFaultSpecs(),
	Generate: func(ch sim.Chooser, variant string) models.Case {
		return Generate(ch, variant, GenOptions{})
	},
}

func init() {
	for _, v := range Variants {
		Model.Variants = append(Model.Variants, models.Variant{Name: v.Name, Summary: v.Summary, Buggy: v.Buggy})
	}
	models.Register(Model)
}

// VariantName is the variant the case runs.
func (c *Case) VariantName() string { return c.Variant }

// Run executes the case with its variant (see the package-level Run).
func (c *Case) Run(ch sim.Chooser, trace bool) (sim.Result, error) { return Run(c, nil, ch, trace) }

// Simplify returns the one-change simplifications of c, biggest first:
// without a step; without a PCI function; with one member or array item
// of a spec removed (shallowest first); with a step and the later ones
// pulled earlier.
func (c *Case) Simplify() []models.Case {
	var out []models.Case
	for i := range c.Steps {
		d := c.Clone()
		d.Steps = append(d.Steps[:i], d.Steps[i+1:]...)
		out = append(out, d)
	}
	for i := range c.PCI.Functions {
		d := c.Clone()
		d.PCI.Functions = append(d.PCI.Functions[:i], d.PCI.Functions[i+1:]...)
		out = append(out, d)
	}
	for i, s := range c.Steps {
		if s.Op != OpCreate {
			continue
		}
		doc, err := faults.ParseJSON([]byte(s.Spec))
		if err != nil {
			continue
		}
		for _, smaller := range doc.Removals() {
			d := c.Clone()
			d.Steps[i].Spec = smaller.Render()
			out = append(out, d)
		}
	}
	for i, s := range c.Steps {
		var floor time.Duration
		if i > 0 {
			floor = c.Steps[i-1].At
		}
		if s.At > floor {
			d := c.Clone()
			for k := i; k < len(d.Steps); k++ {
				d.Steps[k].At -= s.At - floor
			}
			out = append(out, d)
		}
	}
	return out
}
