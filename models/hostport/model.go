package hostport

import (
	"time"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// Model describes the hostport model to faultsim's generic machinery.
var Model = &models.Model{
	Name:       "hostport",
	Summary:    "CRI-O-like hostport manager: iptables and nftables backends per IP family",
	Invariants: Invariants(),
	Codec:      codec{},
	Actors:     []string{"kubelet", "crio"},
	Faults:     []string{"tool-missing", "tool-version", "tool-fails", "daemon-restart"},
	Tools:      []string{"iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "nft"},
	OwnFaults:  mappingFaultSpecs(),
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
// without a step, a fault or an option; without a mapping or an address;
// with a step and the later ones pulled earlier.
func (c *Case) Simplify() []models.Case {
	var out []models.Case
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
	if c.Config.DisableHostportMapping {
		d := c.Clone()
		d.Config.DisableHostportMapping = false
		out = append(out, d)
	}
	for i, s := range c.Steps {
		for j := range s.Ports {
			d := c.Clone()
			d.Steps[i].Ports = append(d.Steps[i].Ports[:j], d.Steps[i].Ports[j+1:]...)
			out = append(out, d)
		}
		for j := 1; j < len(s.IPs); j++ {
			d := c.Clone()
			d.Steps[i].IPs = append(d.Steps[i].IPs[:j], d.Steps[i].IPs[j+1:]...)
			out = append(out, d)
		}
		if len(s.IPs) > 1 {
			d := c.Clone()
			d.Steps[i].IPs = d.Steps[i].IPs[1:]
			out = append(out, d)
		}
		var floor time.Duration
		if i > 0 {
			floor = c.Steps[i-1].At
		}
		if s.At > floor { // pull this step and the later ones earlier
			d := c.Clone()
			for k := i; k < len(d.Steps); k++ {
				d.Steps[k].At -= s.At - floor
			}
			out = append(out, d)
		}
	}
	return out
}
