package cgroups

import (
	"fmt"
	"slices"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
	"github.com/faultsim/faultsim/sim/node"
)

// GenOptions bound what Generate draws.
type GenOptions struct {
	// MaxSteps bounds the steps (default 4).
	MaxSteps int
	// Modes restricts the nodes to these cgroup modes (nil: any).
	Modes []cgroupfs.Mode
}

// generatorProfiles are the named nodes in draw order, the default first
// so that shrinking moves towards it.
func generatorProfiles(modes []cgroupfs.Mode) []cgroupfs.Profile {
	var out []cgroupfs.Profile
	for _, p := range cgroupfs.Profiles() {
		if len(modes) == 0 || slices.Contains(modes, p.Mode) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b cgroupfs.Profile) int {
		return boolRank(a.Name != DefaultNode) - boolRank(b.Name != DefaultNode)
	})
	return out
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The values resources are drawn from, the simplest first.
var (
	sandboxShares = []uint64{1024, 512, 2048}
	sandboxQuota  = []int64{100000, 50000, 200000}
	sandboxMemory = []int64{256 << 20, 512 << 20, 1 << 30}
	sandboxPids   = []int64{1024, 100, 4096}
	sandboxCpus   = []string{"", "0-1", "2", "1,3"}
	ctrCpus       = []string{"", "2", "3"}
	// limitFiles are the interface files the file faults draw from: the
	// limits the resources set, cgroup2 and v1 names.
	limitFiles  = []string{"memory.max", "cpu.max", "cpu.weight", "pids.max", "memory.limit_in_bytes", "cpu.cfs_quota_us", "cpu.shares"}
	faultCtrls  = []string{"memory", "cpu", "cpuset", "pids"}
	slowExitFor = []time.Duration{2 * time.Second, 5 * time.Second}
)

func draw[T any](c sim.Chooser, from []T) T { return from[c.Intn(len(from))] }

// swarmKinds are the fault kinds the generator draws, in the order their
// swarm choices are drawn.
var swarmKinds = func() []string {
	var kinds []string
	for _, f := range []faults.Fault{faults.SystemdVersion{}, faults.KernelVersion{}, faults.CgroupMode{},
		ControllerMissing{}, ControllerNotEnabled{}, FileMissing{}, FileReadOnly{}, BusDown{},
		CgroupExists{}, CgroupVanishes{}, HypervisorExitSlow{}} {
		kinds = append(kinds, f.Name())
	}
	return kinds
}()

// Generate draws a case for a variant: the node (a named profile, and
// faults that change its kernel, mode, systemd, controllers and files),
// the runtime's configuration, and kubelet's requests. Every decision goes
// through c, so a seed replays it and rapid can shrink it.
func Generate(c sim.Chooser, variant string, opt GenOptions) *Case {
	if opt.MaxSteps == 0 {
		opt.MaxSteps = 4
	}
	profiles := generatorProfiles(opt.Modes)
	cs := &Case{Variant: variant, Node: node.Spec{Distro: draw(c, profiles).Name}, Config: DefaultConfig()}
	if c.Intn(2) == 1 {
		cs.Config.Driver = DriverSystemd
	}
	cs.Config.SandboxCgroupOnly = c.Intn(2) == 1
	if c.Intn(2) == 1 {
		cs.Config.Hypervisor = Firecracker
	}
	// Each fault is its own toggle: lowering one draw removes exactly
	// that fault and shifts nothing else. The swarm decides, per
	// scenario, which kinds are on and how often.
	sw := modelkit.DrawSwarm(c, swarmKinds)
	toggle := func(kind faults.Fault) bool { return sw.Hit(c, kind.Name(), 10) }
	if toggle(faults.SystemdVersion{}) {
		cs.Faults = append(cs.Faults, faults.SystemdVersion{Version: draw(c, cgroupfs.SystemdVersions)})
	}
	if toggle(faults.KernelVersion{}) {
		cs.Faults = append(cs.Faults, faults.KernelVersion{Version: sim.MustVersion(draw(c, cgroupfs.Kernels))})
	}
	if toggle(faults.CgroupMode{}) {
		modes := opt.Modes
		if len(modes) == 0 {
			modes = cgroupfs.Modes
		}
		cs.Faults = append(cs.Faults, faults.CgroupMode{Mode: draw(c, modes)})
	}
	if toggle(ControllerMissing{}) {
		cs.Faults = append(cs.Faults, ControllerMissing{Controller: draw(c, faultCtrls)})
	}
	if toggle(ControllerNotEnabled{}) {
		cs.Faults = append(cs.Faults, ControllerNotEnabled{Controller: draw(c, faultCtrls)})
	}
	if toggle(FileMissing{}) {
		cs.Faults = append(cs.Faults, FileMissing{File: draw(c, limitFiles)})
	}
	if toggle(FileReadOnly{}) {
		cs.Faults = append(cs.Faults, FileReadOnly{File: draw(c, limitFiles)})
	}
	if toggle(BusDown{}) {
		cs.Faults = append(cs.Faults, BusDown{})
	}
	cs.Steps = generateSteps(c, opt.MaxSteps)
	var sandboxes []string
	var last time.Duration
	for _, s := range cs.Steps {
		last = s.At
		if s.Op == OpRun {
			sandboxes = append(sandboxes, s.Sandbox)
		}
	}
	if toggle(CgroupExists{}) {
		cs.Faults = append(cs.Faults, CgroupExists{Sandbox: draw(c, sandboxes)})
	}
	if toggle(CgroupVanishes{}) {
		at := time.Duration(c.Intn(int(last/time.Second)+2)) * time.Second
		cs.Faults = append(cs.Faults, CgroupVanishes{Sandbox: draw(c, sandboxes), At: at})
	}
	if toggle(HypervisorExitSlow{}) {
		cs.Faults = append(cs.Faults, HypervisorExitSlow{Sandbox: draw(c, sandboxes), For: draw(c, slowExitFor)})
	}
	return cs
}

// generateSteps draws kubelet's requests: a first sandbox, then sandboxes
// run and stopped and containers created and removed in them.
func generateSteps(c sim.Chooser, maxSteps int) []Step {
	at := time.Duration(c.Intn(3)) * time.Second
	steps := []Step{{At: at, Op: OpRun, Sandbox: "pod1", Resources: sandboxResources(c)}}
	sandboxes := []string{"pod1"}
	containers := map[string][]string{}
	ctr := 0
	for len(steps) < maxSteps {
		// Every list item is one draw whose value 0 means "no more".
		x := c.Intn(1 + 4*3)
		if x == 0 {
			break
		}
		at += time.Duration((x-1)%3) * time.Second
		sb := sandboxes[c.Intn(len(sandboxes))]
		switch (x - 1) / 3 {
		case 0:
			id := fmt.Sprintf("pod%d", len(sandboxes)+1)
			sandboxes = append(sandboxes, id)
			steps = append(steps, Step{At: at, Op: OpRun, Sandbox: id, Resources: sandboxResources(c)})
		case 1:
			ctr++
			id := fmt.Sprintf("c%d", ctr)
			containers[sb] = append(containers[sb], id)
			steps = append(steps, Step{At: at, Op: OpAdd, Sandbox: sb, Container: id, Resources: Resources{Cpus: draw(c, ctrCpus)}})
		case 2:
			if len(containers[sb]) == 0 {
				continue
			}
			id := draw(c, containers[sb])
			containers[sb] = slices.DeleteFunc(containers[sb], func(s string) bool { return s == id })
			steps = append(steps, Step{At: at, Op: OpRemove, Sandbox: sb, Container: id})
		case 3:
			steps = append(steps, Step{At: at, Op: OpStop, Sandbox: sb})
		}
	}
	return steps
}

func sandboxResources(c sim.Chooser) Resources {
	return Resources{Shares: draw(c, sandboxShares), Quota: draw(c, sandboxQuota), Memory: draw(c, sandboxMemory),
		Pids: draw(c, sandboxPids), Cpus: draw(c, sandboxCpus)}
}
