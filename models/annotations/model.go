package annotations

import (
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// Variant is a named Shim implementation.
type Variant = modelkit.Variant[Builder]

// Variants are the implementations: the built-in ones below and those a
// test registers with Variants.Add.
var Variants = modelkit.NewVariants(
	Variant{Variant: models.Variant{Name: "reference", Summary: "Kata 3.9.0: the CDI GPU annotation makes the spec's annotation map when the decoded spec has none (kata-containers#10276)"}, Build: NewReference},
	Variant{Variant: models.Variant{Name: "kata-3.8.0", Summary: "Kata 3.6.0-3.8.x: the CDI GPU annotation is written into the decoded spec's map, nil without annotations: \"assignment to entry in nil map\" (kata-containers#10266)", Buggy: true}, Build: NewKata380},
)

// Model describes the annotations model to faultsim's generic machinery.
var Model = &models.Model{
	Name:       "annotations",
	Summary:    "Kata-like shim annotation store over runtime-spec: CRI and ctr specs, CDI GPU annotations of VFIO devices",
	Invariants: Invariants(),
	Codec:      codec{},
	Actors:     []string{"containerd", "kata"},
	Faults:     faults.MapFaultNames(),
	OwnFaults:  vfioFaultSpecs(),
	SwarmKinds: swarmKinds,
	BadInputs:  badInputs(),
	Hostile:    hostile,
	// Decoded specs are remembered for the next case.
	Idle: idle,
	Generate: func(ch sim.Chooser, variant string) models.Case {
		return Generate(ch, variant, GenOptions{})
	},
}

func init() {
	Variants.Bind(Model)
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
	s := modelkit.NewSimplifier(c, (*Case).Clone)
	modelkit.DropEach(s, func(d *Case) *[]Step { return &d.Steps })
	modelkit.DropEach(s, func(d *Case) *[]PCIFunction { return &d.PCI.Functions })
	for i, st := range c.Steps {
		if st.Op != OpCreate {
			continue
		}
		doc, err := faults.ParseJSON([]byte(st.Spec))
		if err != nil {
			continue
		}
		for _, smaller := range doc.Removals() {
			s.Try(func(d *Case) { d.Steps[i].Spec = smaller.Render() })
		}
	}
	modelkit.PullEachEarlier(s, func(d *Case) *[]Step { return &d.Steps }, func(s *Step) *time.Duration { return &s.At }, 0)
	return s.Cases()
}
