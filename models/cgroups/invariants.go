package cgroups

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
)

// The invariants of the cgroups model: what every correct sandbox
// resource controller guarantees, never a particular bug.
var (
	InvLimits = sim.Invariant{Name: "sandbox-limits-match-spec",
		Summary: "a running sandbox's vCPU threads are in a cgroup whose limits, read back through containerd/cgroups, are exactly its resources"}
	InvContained = sim.Invariant{Name: "sandbox-processes-contained",
		Summary: "with sandbox_cgroup_only, every process of a running sandbox is in the sandbox's cgroup, in every hierarchy"}
	InvFailedCreate = sim.Invariant{Name: "failed-create-leaves-nothing",
		Summary: "a sandbox whose creation failed leaves no cgroup that held its processes or carries its limits, and no systemd unit"}
	InvDelete = sim.Invariant{Name: "delete-leaves-nothing",
		Summary: "once a sandbox is deleted and its processes are gone, no cgroup it used and no systemd unit of it remains"}
	InvAccepted = sim.Invariant{Name: "supported-node-accepted",
		Summary: "sandbox creation succeeds on a node that has every controller and interface file its resources need"}
	InvRefused = sim.Invariant{Name: "unsupported-node-refused",
		Summary: "sandbox creation on a node that lacks what its resources need fails with an error naming what is missing"}
)

// Invariants lists every invariant the model checks, the runner's included.
func Invariants() []sim.Invariant {
	return []sim.Invariant{sim.CrashInvariant, InvLimits, InvContained, InvFailedCreate, InvDelete,
		InvAccepted, InvRefused, sim.HangInvariant, sim.ConvergedInvariant, sim.RunawayInvariant}
}

// oracle is the spec: what the node must look like, computed from the
// requests, the node's description and their outcomes; the node's state
// is read back through containerd/cgroups.
type oracle struct {
	w *world
	// pending are outcome violations waiting for the next check.
	pending []sim.Violation
}

func newOracle(w *world) *oracle { return &oracle{w: w} }

// lacks lists what the node lacks for resources: controllers, interface
// files, or systemd (a systemd scope is the contract of the systemd
// driver with sandbox_cgroup_only).
func (o *oracle) lacks(res Resources) []string {
	spec := o.w.node.FS
	var have []string
	if spec.Mode == cgroupfs.Unified {
		have = cgroupfs.V2Controllers(spec.Kernel)
	} else {
		have = cgroupfs.V1Controllers(spec.Kernel)
	}
	var out []string
	v1 := spec.Mode != cgroupfs.Unified
	type need struct{ ctrl, file string }
	needs := []need{{"memory", pick(v1, "memory.limit_in_bytes", "memory.max")}, {"pids", "pids.max"}, {"", "cgroup.procs"}}
	if res.Shares != 0 {
		needs = append(needs, need{"cpu", pick(v1, "cpu.shares", "cpu.weight")})
	}
	if res.Quota != 0 {
		needs = append(needs, need{"cpu", pick(v1, "cpu.cfs_quota_us", "cpu.max")})
		if v1 {
			needs = append(needs, need{"cpu", "cpu.cfs_period_us"})
		}
	}
	if res.Cpus != "" {
		needs = append(needs, need{"cpuset", "cpuset.cpus"})
	}
	if v1 && !o.w.c.Config.SandboxCgroupOnly {
		needs = append(needs, need{"", "tasks"})
	}
	for _, n := range needs {
		if n.ctrl != "" && (!slices.Contains(have, n.ctrl) || slices.Contains(spec.MissingControllers, n.ctrl)) {
			if !slices.Contains(out, n.ctrl) {
				out = append(out, n.ctrl)
			}
			continue
		}
		if slices.Contains(spec.MissingFiles, n.file) || slices.Contains(spec.ReadOnlyFiles, n.file) {
			out = append(out, n.file)
		}
	}
	if o.w.node.BusDown && o.w.c.Config.Driver == DriverSystemd && o.w.c.Config.SandboxCgroupOnly {
		out = append(out, "systemd")
	}
	return out
}

// limitFileNames are the files that carry a sandbox's limits (cpuset
// values are left out: cgroup v1 copies them into every new parent).
var limitFileNames = []string{"memory.max", "memory.limit_in_bytes", "pids.max", "cpu.weight", "cpu.max",
	"cpu.shares", "cpu.cfs_quota_us"}

func pick(v1 bool, a, b string) string {
	if v1 {
		return a
	}
	return b
}

// created judges a RunPodSandbox outcome against what the node supports.
func (o *oracle) created(sb *sandbox, err error) {
	if sb.crashed {
		return // the crash is the violation
	}
	now := o.w.sched.Now()
	missing := o.lacks(sb.res)
	switch {
	case len(missing) == 0 && err != nil:
		o.pending = append(o.pending, sim.Violation{Invariant: InvAccepted.Name, At: now,
			Message: fmt.Sprintf("RunPodSandbox %s failed on a node that has what its resources %s need: %v", sb.id, sb.res, err)})
	case len(missing) > 0 && err == nil:
		o.pending = append(o.pending, sim.Violation{Invariant: InvRefused.Name, At: now,
			Message: fmt.Sprintf("RunPodSandbox %s succeeded though the node lacks %s for its resources %s", sb.id, strings.Join(missing, ", "), sb.res)})
	case len(missing) > 0 && !mentions(err.Error(), missing):
		o.pending = append(o.pending, sim.Violation{Invariant: InvRefused.Name, At: now,
			Message: fmt.Sprintf("RunPodSandbox %s failed without naming what the node lacks (%s): %v", sb.id, strings.Join(missing, ", "), err)})
	}
}

func mentions(msg string, pieces []string) bool {
	lower := strings.ToLower(msg)
	return slices.ContainsFunc(pieces, func(p string) bool { return strings.Contains(lower, strings.ToLower(p)) })
}

// observe notes, after each step, the cgroups each running sandbox's
// processes live in (creating ones too: a failed creation must clean them).
func (o *oracle) observe() {
	fs := o.w.fs
	for _, sb := range o.w.sbs {
		if sb.state != live && sb.state != creating {
			continue
		}
		for _, pid := range sb.processes() {
			for _, c := range []string{"", "cpu", "cpuset", "memory", "pids"} {
				if rel, ok := fs.CgroupOf(pid, c); ok {
					sb.own(rel)
				}
			}
		}
	}
	for _, sb := range o.w.sbs {
		for _, rel := range sb.created {
			vals := fs.Values(rel)
			if slices.ContainsFunc(limitFileNames, func(f string) bool { _, ok := vals[f]; return ok }) {
				sb.own(rel)
			}
		}
	}
}

// check is run after every event. A sandbox whose node, state and
// resources did not change since its last check is not read again.
func (o *oracle) check(now time.Duration) []sim.Violation {
	vs := o.pending
	o.pending = nil
	if err := o.w.fs.Flush(); err != nil {
		o.w.fail(err)
	}
	o.observe()
	gen := o.w.fs.Generation()
	for _, sb := range o.w.sbs {
		key := fmt.Sprintf("%d %d %v %s", gen, sb.state, sb.degraded, sb.sized())
		if key == sb.checked {
			continue
		}
		sb.checked = key
		switch {
		case sb.state == live && !sb.degraded:
			if v, ok := o.checkLimits(sb, now); !ok {
				vs = append(vs, v)
			}
			if o.w.c.Config.SandboxCgroupOnly {
				if v, ok := o.checkContained(sb, now); !ok {
					vs = append(vs, v)
				}
			}
		case sb.state == failed && !sb.crashed:
			if v, ok := o.checkGone(sb, now, InvFailedCreate); !ok {
				vs = append(vs, v)
			}
		case sb.state == deleted:
			if v, ok := o.checkGone(sb, now, InvDelete); !ok {
				vs = append(vs, v)
			}
		}
	}
	for i := range vs {
		vs[i].Message = o.w.clean(vs[i].Message)
	}
	return vs
}
