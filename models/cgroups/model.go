package cgroups

import (
	"slices"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
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
	SwarmKinds: swarmKinds,
	BadInputs:  badInputs(),
	Hostile:    hostile,
	Generate: func(ch sim.Chooser, variant string) models.Case {
		return Generate(ch, variant, GenOptions{})
	},
	// Trees pool their inotify instances (closing one costs ~10 ms asleep).
	Idle: cgroupfs.CloseIdle,
	// The library's and the simulation's file system calls are most of a
	// run's CPU time.
	SystemBound: true,
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
// without a step or a fault; with an option back to its default; without
// a cpuset; with a step and the later ones pulled earlier.
func (c *Case) Simplify() []models.Case {
	s := modelkit.NewSimplifier(c, (*Case).Clone)
	for i := range c.Steps {
		s.TryIf(func(d *Case) bool {
			d.Steps = slices.Delete(d.Steps, i, i+1)
			return len(d.Steps) > 0
		})
	}
	modelkit.DropEach(s, func(d *Case) *[]faults.Fault { return &d.Faults })
	def := DefaultConfig()
	for _, f := range []func(*Config){
		func(cfg *Config) { cfg.Driver = def.Driver },
		func(cfg *Config) { cfg.SandboxCgroupOnly = def.SandboxCgroupOnly },
		func(cfg *Config) { cfg.Hypervisor = def.Hypervisor },
	} {
		s.TryIf(func(d *Case) bool { f(&d.Config); return d.Config != c.Config })
	}
	for i, st := range c.Steps {
		if st.Resources.Cpus != "" {
			s.Try(func(d *Case) { d.Steps[i].Resources.Cpus = "" })
		}
		modelkit.PullEarlier(s, func(d *Case) *[]Step { return &d.Steps }, func(s *Step) *time.Duration { return &s.At }, i)
	}
	return s.Cases()
}
