package signals

import (
	"github.com/faultsim/faultsim/models"
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
	OwnFaults:  append(deliveryFaultSpecs(), processFaultSpecs()...),
	Generate:   func(ch sim.Chooser, variant string) models.Case { return Generate(ch, variant) },
}

func init() {
	for _, v := range Variants {
		Model.Variants = append(Model.Variants, models.Variant{Name: v.Name, Summary: v.Summary, Buggy: v.Buggy})
	}
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
	var out []models.Case
	if len(c.Containers) > 1 {
		for i := range c.Containers {
			d := c.Clone()
			name := d.Containers[i].Name
			d.Containers = append(d.Containers[:i], d.Containers[i+1:]...)
			d.Steps = d.Steps[:0]
			for _, s := range c.Steps {
				if s.Container != name {
					d.Steps = append(d.Steps, s)
				}
			}
			d.Faults = d.Faults[:0]
			for _, f := range c.Faults {
				if t, ok := f.(interface{ Target() string }); !ok || t.Target() != name {
					d.Faults = append(d.Faults, f)
				}
			}
			out = append(out, d)
		}
	}
	for i := range c.Steps {
		d := c.Clone()
		d.Steps = append(d.Steps[:i], d.Steps[i+1:]...)
		out = append(out, d)
	}
	for i := range c.Faults {
		d := c.Clone()
		d.Faults = append(d.Faults[:i], d.Faults[i+1:]...)
		out = append(out, d)
	}
	if c.Config.ShutdownGracePeriod != 0 {
		d := c.Clone()
		d.Config.ShutdownGracePeriod = 0
		out = append(out, d)
	}
	if c.Node.Systemd != 0 {
		d := c.Clone()
		d.Node.Systemd = 0
		out = append(out, d)
	}
	for i, s := range c.Steps {
		if i > 0 && s.At > c.Steps[i-1].At {
			d := c.Clone()
			for k := i; k < len(d.Steps); k++ {
				d.Steps[k].At -= s.At - c.Steps[i-1].At
			}
			out = append(out, d)
		}
	}
	return out
}
