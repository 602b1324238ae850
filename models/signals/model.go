package signals

import (
	"slices"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// Model describes the signals model to faultsim's generic machinery.
var Model = &models.Model{
	Name:       "signals",
	Summary:    "graceful stop: kubelet, CRI-O stop loop, OCI runtime scopes, systemd shutdown, processes",
	Invariants: Invariants(),
	Codec:      codec{},
	Actors:     []string{"kubelet", "crictl", "crio", "conmon", "crun", "runc", "systemd"},
	Faults:     []string{"kernel-version", "systemd-version", "tool-fails"},
	Tools:      []string{"crun"},
	OwnFaults:  append(append(deliveryFaultSpecs(), processFaultSpecs()...), pidReuseFaultSpecs()...),
	SwarmKinds: swarmKinds,
	BadInputs:  badInputs(),
	Hostile:    hostile,
	Generate:   func(ch sim.Chooser, variant string) models.Case { return Generate(ch, variant) },
	Idle:       idle,
}

func init() {
	Variants.Bind(Model)
	models.Register(Model)
}

// VariantName is the variant the case runs.
func (c *Case) VariantName() string { return c.Variant }

// Run executes the case (see the package-level Run).
func (c *Case) Run(ch sim.Chooser, trace bool) (sim.Result, error) { return Run(c, ch, trace) }

// Simplify returns the one-change simplifications of c, biggest first:
// without a container (and what names it), a step or a fault; with kubelet's
// graceful node shutdown off; with the default systemd; steps pulled earlier.
func (c *Case) Simplify() []models.Case {
	s := modelkit.NewSimplifier(c, (*Case).Clone)
	if len(c.Containers) > 1 {
		for i, ct := range c.Containers {
			s.Try(func(d *Case) {
				d.Containers = slices.Delete(d.Containers, i, i+1)
				d.Steps = slices.DeleteFunc(d.Steps, func(st Step) bool { return st.Container == ct.Name })
				d.Faults = slices.DeleteFunc(d.Faults, func(f faults.Fault) bool {
					t, ok := f.(interface{ Target() string })
					return ok && t.Target() == ct.Name
				})
			})
		}
	}
	modelkit.DropEach(s, func(d *Case) *[]Step { return &d.Steps })
	modelkit.DropEach(s, func(d *Case) *[]faults.Fault { return &d.Faults })
	if c.Config.ShutdownGracePeriod != 0 {
		s.Try(func(d *Case) { d.Config.ShutdownGracePeriod = 0 })
	}
	if c.Node.Systemd != 0 {
		s.Try(func(d *Case) { d.Node.Systemd = 0 })
	}
	modelkit.PullEachEarlier(s, func(d *Case) *[]Step { return &d.Steps }, func(s *Step) *time.Duration { return &s.At }, 1)
	return s.Cases()
}
