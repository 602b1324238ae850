package hostport

import (
	"slices"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// Model describes the hostport model to faultsim's generic machinery.
var Model = &models.Model{
	Name:       "hostport",
	Summary:    "CRI-O-like hostport manager: iptables and nftables backends per IP family",
	Invariants: Invariants(),
	Codec:      codec{},
	Actors:     []string{"kubelet", "crio", "nft", "iptables-restore", "ip6tables-restore"},
	Faults:     []string{"tool-missing", "tool-version", "tool-fails", "kernel-version", "daemon-restart"},
	Tools:      []string{"iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "nft"},
	OwnFaults:  mappingFaultSpecs(),
	SwarmKinds: swarmKinds,
	BadInputs:  badInputs(),
	Hostile:    hostile,
	// SandboxHash remembers the ids it hashed.
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
// without a step, a fault or an option; without a mapping or an address;
// with a step and the later ones pulled earlier.
func (c *Case) Simplify() []models.Case {
	s := modelkit.NewSimplifier(c, (*Case).Clone)
	modelkit.DropEach(s, func(d *Case) *[]Step { return &d.Steps })
	modelkit.DropEach(s, func(d *Case) *[]faults.Fault { return &d.Faults })
	if c.Config.DisableHostportMapping {
		s.Try(func(d *Case) { d.Config.DisableHostportMapping = false })
	}
	steps := func(d *Case) *[]Step { return &d.Steps }
	for i, st := range c.Steps {
		modelkit.DropEach(s, func(d *Case) *[]*PortMapping { return &d.Steps[i].Ports })
		for j := 1; j < len(st.IPs); j++ {
			s.Try(func(d *Case) { d.Steps[i].IPs = slices.Delete(d.Steps[i].IPs, j, j+1) })
		}
		if len(st.IPs) > 1 {
			s.Try(func(d *Case) { d.Steps[i].IPs = d.Steps[i].IPs[1:] })
		}
		modelkit.PullEarlier(s, steps, stepAt, i)
	}
	return s.Cases()
}

func stepAt(s *Step) *time.Duration { return &s.At }
