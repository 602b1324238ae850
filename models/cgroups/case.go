package cgroups

import (
	"fmt"
	"slices"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim/cgroupfs"
	"github.com/faultsim/faultsim/sim/node"
)

// The operations a step performs, as kubelet asks them through containerd.
const (
	OpRun    = "run-pod-sandbox"
	OpAdd    = "create-container"
	OpRemove = "remove-container"
	OpStop   = "stop-pod-sandbox"
)

// The cgroup drivers and hypervisors a node can be configured with.
const (
	DriverSystemd  = "systemd"
	DriverCgroupfs = "cgroupfs"
	QEMU           = "qemu"
	Firecracker    = "firecracker"
)

// Config is the runtime's configuration on the node.
type Config struct {
	// Driver is kubelet's and containerd's cgroup driver: "systemd" gives
	// sandboxes a "slice:prefix:name" cgroupsPath, "cgroupfs" a path.
	Driver string
	// SandboxCgroupOnly is Kata's sandbox_cgroup_only.
	SandboxCgroupOnly bool
	// Hypervisor is "qemu" (with virtiofsd) or "firecracker".
	Hypervisor string
}

// DefaultConfig is the configuration of a case that gives none.
func DefaultConfig() Config { return Config{Driver: DriverCgroupfs, Hypervisor: QEMU} }

// Resources are the limits of a sandbox or container: CPU shares, a CPU
// quota per 100ms period, a cpuset, a memory limit and a pids limit. Zero
// means unset.
type Resources struct {
	Shares uint64
	Quota  int64
	Cpus   string
	Memory int64
	Pids   int64
}

// Period is the CFS period every quota is given over (100ms).
const Period = 100000

// Spec returns the resources as the OCI runtime spec has them.
func (r Resources) Spec() specs.LinuxResources {
	var out specs.LinuxResources
	if r.Shares != 0 || r.Quota != 0 || r.Cpus != "" {
		out.CPU = &specs.LinuxCPU{Cpus: r.Cpus}
		if r.Shares != 0 {
			out.CPU.Shares = ptr(r.Shares)
		}
		if r.Quota != 0 {
			out.CPU.Quota, out.CPU.Period = ptr(r.Quota), ptr(uint64(Period))
		}
	}
	if r.Memory != 0 {
		out.Memory = &specs.LinuxMemory{Limit: ptr(r.Memory)}
	}
	if r.Pids != 0 {
		out.Pids = &specs.LinuxPids{Limit: ptr(r.Pids)}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// String renders the resources compactly.
func (r Resources) String() string {
	var parts []string
	if r.Shares != 0 {
		parts = append(parts, fmt.Sprintf("shares=%d", r.Shares))
	}
	if r.Quota != 0 {
		parts = append(parts, fmt.Sprintf("quota=%d", r.Quota))
	}
	if r.Cpus != "" {
		parts = append(parts, "cpus="+r.Cpus)
	}
	if r.Memory != 0 {
		parts = append(parts, fmt.Sprintf("memory=%d", r.Memory))
	}
	if r.Pids != 0 {
		parts = append(parts, fmt.Sprintf("pids=%d", r.Pids))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// unionCpus is the union of CPU lists, as Kata's getSandboxCPUSet makes
// the sandbox's cpuset from its containers' ("" when none sets one).
func unionCpus(lists ...string) string {
	var all []int
	for _, l := range lists {
		set, _ := cgroupfs.ParseList(l)
		all = append(all, set...)
	}
	slices.Sort(all)
	return cgroupfs.FormatList(slices.Compact(all))
}

// Step is one request at a virtual time.
type Step struct {
	At        time.Duration
	Op        string
	Sandbox   string
	Container string
	// Resources are the sandbox's (run); a container (create) has a cpuset
	// only: its other limits size the VM, not the host's cgroup.
	Resources Resources
}

// DefaultNode is the distro the generator draws first, so that shrinking
// moves towards it.
const DefaultNode = "al2023-like"

// Case is one scenario: node, variant, configuration, faults, steps.
type Case struct {
	Node    node.Spec
	Variant string
	Config  Config
	Faults  []faults.Fault
	Steps   []Step
}

// Size is what shrinking minimises: steps, faults, options set, cpusets.
func (c *Case) Size() int {
	n := len(c.Steps) + len(c.Faults)
	if c.Config.Driver != DefaultConfig().Driver {
		n++
	}
	if c.Config.SandboxCgroupOnly {
		n++
	}
	if c.Config.Hypervisor != DefaultConfig().Hypervisor {
		n++
	}
	for _, s := range c.Steps {
		if s.Resources.Cpus != "" {
			n++
		}
	}
	return n
}

// Clone returns a deep copy.
func (c *Case) Clone() *Case {
	out := *c
	out.Node.Tools = slices.Clone(c.Node.Tools)
	out.Faults = slices.Clone(c.Faults)
	out.Steps = slices.Clone(c.Steps)
	return &out
}
