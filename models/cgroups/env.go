package cgroups

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	cgroupsv3 "github.com/containerd/cgroups/v3"
	"github.com/containerd/cgroups/v3/cgroup1"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim/systemd"
)

// Env is what a sandbox resource controller sees of the node it runs on:
// where cgroups are mounted and how (what cgroups.Mode() would say there),
// systemd's D-Bus API, and its own process. Process IDs on the node are
// simulated: a controller must not call cgroup2.Manager.Kill, whose
// fallback signals the host's processes of those IDs.
type Env struct {
	// Mode is what github.com/containerd/cgroups/v3.Mode() returns on the node.
	Mode cgroupsv3.CGMode
	// Mountpoint is the node's /sys/fs/cgroup.
	Mountpoint string
	// Systemd is the node's systemd, reached over D-Bus.
	Systemd Bus
	// PID is the runtime's own process (os.Getpid() on the node).
	PID int
	// StartCgroup is the cgroup the runtime was started in (its line of
	// /proc/self/cgroup), the same in every hierarchy.
	StartCgroup string
	// Log records what the runtime logs.
	Log func(format string, args ...any)
	// Sync lets the node's kernel take in the calls made so far. A plain
	// directory tree cannot change one file when another is written, so
	// the simulated kernel applies a call's effects when the runtime
	// returns to the node; a runtime whose next call reads what its last
	// one changed (moving processes out of a cgroup, then removing it)
	// calls Sync in between. It is the one concession controllers make to
	// the simulation, and a no-op on a real node.
	Sync func()
	// mounted, when set, is the node's mount table (what cgroup1.Default
	// reads in /proc/self/mountinfo): whether a v1 hierarchy is mounted
	// for a subsystem ("systemd" for the named one). Without it
	// V1Hierarchy looks for each mount under Mountpoint.
	mounted func(subsystem string) bool
}

func (e *Env) sync() {
	if e.Sync != nil {
		e.Sync()
	}
}

// UnifiedMountpoint is where cgroup2 is mounted ("" in legacy mode).
func (e *Env) UnifiedMountpoint() string {
	switch e.Mode {
	case cgroupsv3.Unified:
		return e.Mountpoint
	case cgroupsv3.Hybrid:
		return filepath.Join(e.Mountpoint, "unified")
	}
	return ""
}

// V1Hierarchy is the node's v1 hierarchy as cgroup1.Default() would find
// it: every default subsystem the node mounts. (Default reads
// /proc/self/mountinfo, so it cannot be pointed at the simulated node;
// hugetlb is left out because its constructor reads the host's
// /sys/kernel/mm/hugepages.)
func (e *Env) V1Hierarchy() ([]cgroup1.Subsystem, error) {
	root := e.Mountpoint
	all := []cgroup1.Subsystem{
		cgroup1.NewNamed(root, "systemd"), cgroup1.NewFreezer(root), cgroup1.NewPids(root),
		cgroup1.NewNetCls(root), cgroup1.NewNetPrio(root), cgroup1.NewPerfEvent(root),
		cgroup1.NewCpuset(root), cgroup1.NewCpu(root), cgroup1.NewCpuacct(root),
		cgroup1.NewMemory(root), cgroup1.NewBlkio(root), cgroup1.NewRdma(root), cgroup1.NewDevices(root),
	}
	var out []cgroup1.Subsystem
	for _, s := range all {
		if e.mounted != nil {
			if e.mounted(string(s.Name())) {
				out = append(out, s)
			}
			continue
		}
		p, ok := s.(interface{ Path(string) string })
		if !ok {
			continue
		}
		if _, err := os.Lstat(p.Path("/")); err == nil {
			out = append(out, s)
		}
	}
	return out, nil
}

// Bus is systemd's D-Bus API as a runtime uses it.
type Bus interface {
	// StartTransientUnit starts a unit with properties in order
	// (org.freedesktop.systemd1.Manager.StartTransientUnit).
	StartTransientUnit(name string, props []systemd.Property) (*systemd.Unit, error)
	// StopUnit stops a unit and removes it.
	StopUnit(name string) error
	// Version is systemd's version number (the Version property).
	Version() int
}

// bus is the node's systemd behind its D-Bus API, with each call traced
// as a message from the shim to systemd, and an error as systemd's reply.
type bus struct {
	sd   *systemd.Systemd
	shim string
	send func(from, to, format string, args ...any)
}

// StartTransientUnit implements Bus.
func (b bus) StartTransientUnit(name string, props []systemd.Property) (*systemd.Unit, error) {
	b.send(b.shim, "systemd", "StartTransientUnit %s %v", name, props)
	u, err := b.sd.StartTransientUnit(name, props)
	if err != nil {
		b.send("systemd", b.shim, "StartTransientUnit %s: %v", name, err)
	}
	return u, err
}

// StopUnit implements Bus.
func (b bus) StopUnit(name string) error {
	b.send(b.shim, "systemd", "StopUnit %s", name)
	err := b.sd.Remove(name)
	if err != nil {
		b.send("systemd", b.shim, "StopUnit %s: %v", name, err)
	}
	return err
}

// Version implements Bus.
func (b bus) Version() int {
	if b.sd.Version == 0 {
		return systemd.DefaultVersion
	}
	return b.sd.Version
}

// SandboxConfig is what a controller is asked to create for a sandbox.
type SandboxConfig struct {
	ID string
	// CgroupsPath is the sandbox container's OCI linux.cgroupsPath:
	// "slice:prefix:name" with the systemd driver, a path with cgroupfs.
	CgroupsPath string
	// Resources are the sandbox's resources, applied to its cgroup.
	Resources specs.LinuxResources
	// SandboxCgroupOnly puts every process of the sandbox (hypervisor
	// included) in the sandbox cgroup; otherwise only the vCPU threads go
	// there and the rest in an overhead cgroup.
	SandboxCgroupOnly bool
}

// Controller is a Kata-like sandbox resource controller: the host side of
// a sandbox's cgroups, driven by the shim over the sandbox's life.
type Controller interface {
	// Create makes the sandbox's cgroup(s) from its resources and puts the
	// runtime's own process in place, before the VM starts (Kata's
	// createResourceController and setupResourceController).
	Create(sb SandboxConfig) error
	// Update applies the sandbox's resources as they are now and moves the
	// hypervisor's vCPU threads where they belong, after the VM started and
	// whenever a container comes or goes (Kata's resourceControllerUpdate).
	Update(res specs.LinuxResources, vcpus []int) error
	// Delete removes the sandbox's cgroups once its VM stopped (Kata's
	// resourceControllerDelete). An error means kubelet will retry.
	Delete() error
}

// Builder makes the controller of one sandbox's shim.
type Builder func(env *Env) Controller

// Variant is a named controller implementation.
type Variant = modelkit.Variant[Builder]

// Variants are the controllers: the built-in ones below and those a test
// registers with Variants.Add.
var Variants = modelkit.NewVariants(
	Variant{Variant: models.Variant{Name: "reference", Summary: "propagates every error, adapts systemd properties to its version, applies the limits once on v1 and v2 alike, leaves nothing behind"}, Build: NewReference},
	Variant{Variant: models.Variant{Name: "kata-3.12.0", Summary: "Kata 3.12.0's resourcecontrol: drops the scope creation error and inverts the Load check (nil handle on v1/hybrid, no limits on v2)", Buggy: true}, Build: NewKata3120},
)

// IsSystemdCgroup reports whether an OCI cgroupsPath is a systemd one:
// "slice:prefix:name" with a first part ending in .slice.
func IsSystemdCgroup(path string) bool {
	parts := strings.Split(path, ":")
	return len(parts) == 3 && strings.HasSuffix(parts[0], ".slice")
}

// SliceAndUnit splits a systemd cgroupsPath into its slice and its scope
// unit "prefix-name.scope".
func SliceAndUnit(path string) (slice, unit string, err error) {
	parts := strings.Split(path, ":")
	if len(parts) == 3 && strings.HasSuffix(parts[0], ".slice") {
		return parts[0], parts[1] + "-" + parts[2] + ".scope", nil
	}
	return "", "", fmt.Errorf("cgroup path %q is not a systemd cgroups path: expected slice:prefix:name", path)
}

// ScopeCgroup is where systemd puts a scope's cgroup: its slice's path
// and the unit name.
func ScopeCgroup(slice, unit string) (string, error) {
	sp, err := systemd.SlicePath(slice)
	if err != nil {
		return "", err
	}
	return filepath.Join(sp, unit), nil
}

// KataPrefix is the prefix Kata gives the base of a cgroupfs sandbox path
// so that cAdvisor does not pick its cgroup up.
const KataPrefix = "kata"

// RenameCgroupPath turns "/a/b" into "/a/kata_b" (an empty path into /kata_vc).
func RenameCgroupPath(path string) string {
	if path == "" {
		path = "/vc"
	}
	return filepath.Join(filepath.Dir(path), KataPrefix+"_"+filepath.Base(path))
}

// OverheadPath is the cgroup Kata puts everything but the vCPU threads in
// when sandbox_cgroup_only is off.
func OverheadPath(id string) string { return "/kata_overhead/" + id }
