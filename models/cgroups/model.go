package cgroups

import (
	"time"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
)

// Model describes the cgroups model to faultsim's generic machinery.
var Model = &models.Model{
	Name:       "cgroups",
	Summary:    "Kata-like sandbox cgroup controller driving the real containerd/cgroups/v3 on a simulated cgroupfs",
	Invariants: Invariants(),
	Codec:      codec{},
	Actors:     []string{"kubelet", "containerd", "shim", "systemd", "kernel"},
	Faults:     []string{"kernel-version", "cgroup-mode", "systemd-version"},
	OwnFaults:  cgroupFaultSpecs(),
	Generate: func(ch sim.Chooser, variant string) models.Case {
		return Generate(ch, variant, GenOptions{})
	},
	// Trees pool their inotify instances (closing one costs ~10 ms asleep).
	Idle: cgroupfs.CloseIdle,
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
// without a step or a fault; with an option back to its default; without
// a cpuset; with a step and the later ones pulled earlier.
func (c *Case) Simplify() []models.Case {
	var out []models.Case
	for i := range c.Steps {
		d := c.Clone()
		d.Steps = append(d.Steps[:i], d.Steps[i+1:]...)
		if len(d.Steps) > 0 {
			out = append(out, d)
		}
	}
	for i := range c.Faults {
		d := c.Clone()
		d.Faults = append(d.Faults[:i], d.Faults[i+1:]...)
		out = append(out, d)
	}
	def := DefaultConfig()
	for _, f := range []func(*Config){
		func(cfg *Config) { cfg.Driver = def.Driver },
		func(cfg *Config) { cfg.SandboxCgroupOnly = def.SandboxCgroupOnly },
		func(cfg *Config) { cfg.Hypervisor = def.Hypervisor },
	} {
		d := c.Clone()
		f(&d.Config)
		if d.Config != c.Config {
			out = append(out, d)
		}
	}
	for i, s := range c.Steps {
		if s.Resources.Cpus != "" {
			d := c.Clone()
			d.Steps[i].Resources.Cpus = ""
			out = append(out, d)
		}
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
