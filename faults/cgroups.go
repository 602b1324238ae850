package faults

import (
	"slices"
	"strconv"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
)

// CgroupNode is what cgroup faults reshape before a run: the node's
// cgroupfs (kernel, mode, systemd version, quirks) and its systemd's bus.
type CgroupNode struct {
	FS cgroupfs.Spec
	// BusDown makes every call to systemd's D-Bus API fail.
	BusDown bool
}

// CgroupFault changes the cgroup side of the node before the run.
type CgroupFault interface {
	Fault
	ApplyCgroups(n *CgroupNode)
}

// SandboxFault happens to one sandbox's cgroups or processes; the model
// decides when (its cgroup is left over before the sandbox runs, vanishes
// after, its hypervisor takes long to exit when it stops).
type SandboxFault interface {
	Fault
	Target() string
}

func init() {
	ctrl := Param{Name: "controller", Type: String, Summary: "cgroup controller", OneOf: cgroupfs.ControllerNames()}
	file := Param{Name: "file", Type: String, Summary: "cgroup interface file", OneOf: cgroupfs.InterfaceFileNames()}
	sandbox := Param{Name: "sandbox", Type: String, Summary: "the sandbox it happens to"}
	Register(Spec{Name: "kernel-version", Kind: Host,
		Summary: "the node runs this kernel: it has the cgroup controllers and interface files of that version",
		Params:  []Param{{Name: "version", Type: Version, Summary: "kernel version", OneOf: cgroupfs.Kernels}},
		Build:   func(a Args) (Fault, error) { return KernelVersion{Version: a.Version("version")}, nil }})
	Register(Spec{Name: "cgroup-mode", Kind: Host,
		Summary: "systemd mounted cgroups this way: v1 (one hierarchy per controller), hybrid (v1 plus a controller-less cgroup2) or v2",
		Params:  []Param{{Name: "mode", Type: String, Summary: "cgroup mode", OneOf: []string{"v1", "hybrid", "v2"}}},
		Build: func(a Args) (Fault, error) {
			m, err := cgroupfs.ParseMode(a.Get("mode"))
			return CgroupMode{Mode: m}, err
		}})
	Register(Spec{Name: "systemd-version", Kind: Host,
		Summary: "the node runs this systemd: it rejects transient-unit properties it does not know and delegates only the cgroup2 controllers it knows",
		Params:  []Param{{Name: "version", Type: Int, Summary: "systemd version number", Min: 200, Max: 999}},
		Build:   func(a Args) (Fault, error) { return SystemdVersion{Version: a.Int("version")}, nil }})
	Register(Spec{Name: "controller-missing", Kind: Host,
		Summary: "the kernel lacks a controller (cgroup_disable=): absent from cgroup.controllers on v2, not mounted on v1",
		Params:  []Param{ctrl},
		Build:   func(a Args) (Fault, error) { return ControllerMissing{Controller: a.Get("controller")}, nil }})
	Register(Spec{Name: "controller-not-enabled", Kind: Host,
		Summary: "systemd and kubelet do not enable a controller below the root (cgroup.subtree_control), nor create units' cgroups for it on v1",
		Params:  []Param{ctrl},
		Build:   func(a Args) (Fault, error) { return ControllerNotEnabled{Controller: a.Get("controller")}, nil }})
	Register(Spec{Name: "interface-file-missing", Kind: Host,
		Summary: "the kernel lacks an interface file in every cgroup (a config option or boot parameter off): writes fail with EACCES",
		Params:  []Param{file},
		Build:   func(a Args) (Fault, error) { return FileMissing{File: a.Get("file")}, nil }})
	Register(Spec{Name: "interface-file-read-only", Kind: Host,
		Summary: "writes to an interface file are refused with EACCES in every cgroup",
		Params:  []Param{file},
		Build:   func(a Args) (Fault, error) { return FileReadOnly{File: a.Get("file")}, nil }})
	Register(Spec{Name: "systemd-bus-down", Kind: Host,
		Summary: "systemd's D-Bus API does not answer: StartTransientUnit and StopUnit fail",
		Build:   func(Args) (Fault, error) { return BusDown{}, nil }})
	Register(Spec{Name: "cgroup-exists", Kind: Host,
		Summary: "the sandbox's cgroup is already there before it runs, left over with a stale memory limit",
		Params:  []Param{sandbox},
		Build:   func(a Args) (Fault, error) { return CgroupExists{Sandbox: a.Get("sandbox")}, nil }})
	Register(Spec{Name: "cgroup-vanishes", Kind: Timing,
		Summary: "the sandbox's cgroup directories are removed behind the runtime's back at a virtual time, if no process is in them",
		Params:  []Param{sandbox, {Name: "at", Type: Duration, Summary: "virtual time it vanishes"}},
		Build: func(a Args) (Fault, error) {
			return CgroupVanishes{Sandbox: a.Get("sandbox"), At: a.Duration("at")}, nil
		}})
	Register(Spec{Name: "hypervisor-exit-slow", Kind: Timing,
		Summary: "the sandbox's hypervisor keeps exiting for a while after its VM is stopped: it stays in its cgroup and cannot be moved",
		Params:  []Param{sandbox, {Name: "for", Type: Duration, Summary: "how long it takes to exit"}},
		Build: func(a Args) (Fault, error) {
			return HypervisorExitSlow{Sandbox: a.Get("sandbox"), For: a.Duration("for")}, nil
		}})
}

// KernelVersion sets the node's kernel.
type KernelVersion struct{ Version sim.Version }

// Name implements Fault.
func (KernelVersion) Name() string { return "kernel-version" }

// Args implements Fault.
func (f KernelVersion) Args() Args { return Args{{"version", f.Version.String()}} }

// ApplyCgroups implements CgroupFault.
func (f KernelVersion) ApplyCgroups(n *CgroupNode) { n.FS.Kernel = f.Version }

// CgroupMode sets how cgroups are mounted.
type CgroupMode struct{ Mode cgroupfs.Mode }

// Name implements Fault.
func (CgroupMode) Name() string { return "cgroup-mode" }

// Args implements Fault.
func (f CgroupMode) Args() Args { return Args{{"mode", f.Mode.String()}} }

// ApplyCgroups implements CgroupFault.
func (f CgroupMode) ApplyCgroups(n *CgroupNode) { n.FS.Mode = f.Mode }

// SystemdVersion sets the node's systemd version.
type SystemdVersion struct{ Version int }

// Name implements Fault.
func (SystemdVersion) Name() string { return "systemd-version" }

// Args implements Fault.
func (f SystemdVersion) Args() Args { return Args{{"version", strconv.Itoa(f.Version)}} }

// ApplyCgroups implements CgroupFault.
func (f SystemdVersion) ApplyCgroups(n *CgroupNode) { n.FS.Systemd = f.Version }

// ControllerMissing removes a controller from the kernel.
type ControllerMissing struct{ Controller string }

// Name implements Fault.
func (ControllerMissing) Name() string { return "controller-missing" }

// Args implements Fault.
func (f ControllerMissing) Args() Args { return Args{{"controller", f.Controller}} }

// ApplyCgroups implements CgroupFault.
func (f ControllerMissing) ApplyCgroups(n *CgroupNode) {
	n.FS.MissingControllers = appendNew(n.FS.MissingControllers, f.Controller)
}

// ControllerNotEnabled keeps a controller from being handed down.
type ControllerNotEnabled struct{ Controller string }

// Name implements Fault.
func (ControllerNotEnabled) Name() string { return "controller-not-enabled" }

// Args implements Fault.
func (f ControllerNotEnabled) Args() Args { return Args{{"controller", f.Controller}} }

// ApplyCgroups implements CgroupFault.
func (f ControllerNotEnabled) ApplyCgroups(n *CgroupNode) {
	n.FS.NotEnabled = appendNew(n.FS.NotEnabled, f.Controller)
}

// FileMissing removes an interface file from the kernel.
type FileMissing struct{ File string }

// Name implements Fault.
func (FileMissing) Name() string { return "interface-file-missing" }

// Args implements Fault.
func (f FileMissing) Args() Args { return Args{{"file", f.File}} }

// ApplyCgroups implements CgroupFault.
func (f FileMissing) ApplyCgroups(n *CgroupNode) {
	n.FS.MissingFiles = appendNew(n.FS.MissingFiles, f.File)
}

// FileReadOnly makes an interface file refuse writes.
type FileReadOnly struct{ File string }

// Name implements Fault.
func (FileReadOnly) Name() string { return "interface-file-read-only" }

// Args implements Fault.
func (f FileReadOnly) Args() Args { return Args{{"file", f.File}} }

// ApplyCgroups implements CgroupFault.
func (f FileReadOnly) ApplyCgroups(n *CgroupNode) {
	n.FS.ReadOnlyFiles = appendNew(n.FS.ReadOnlyFiles, f.File)
}

// BusDown takes systemd's D-Bus API down.
type BusDown struct{}

// Name implements Fault.
func (BusDown) Name() string { return "systemd-bus-down" }

// Args implements Fault.
func (BusDown) Args() Args { return nil }

// ApplyCgroups implements CgroupFault.
func (BusDown) ApplyCgroups(n *CgroupNode) { n.BusDown = true }

// CgroupExists leaves a sandbox's cgroup over from an earlier run.
type CgroupExists struct{ Sandbox string }

// Name implements Fault.
func (CgroupExists) Name() string { return "cgroup-exists" }

// Args implements Fault.
func (f CgroupExists) Args() Args { return Args{{"sandbox", f.Sandbox}} }

// Target implements SandboxFault.
func (f CgroupExists) Target() string { return f.Sandbox }

// CgroupVanishes removes a sandbox's cgroup at a virtual time.
type CgroupVanishes struct {
	Sandbox string
	At      time.Duration
}

// Name implements Fault.
func (CgroupVanishes) Name() string { return "cgroup-vanishes" }

// Args implements Fault.
func (f CgroupVanishes) Args() Args {
	return Args{{"sandbox", f.Sandbox}, {"at", sim.FormatDuration(f.At)}}
}

// Target implements SandboxFault.
func (f CgroupVanishes) Target() string { return f.Sandbox }

// Time implements TimedFault.
func (f CgroupVanishes) Time() time.Duration { return f.At }

// HypervisorExitSlow makes a sandbox's hypervisor take long to exit.
type HypervisorExitSlow struct {
	Sandbox string
	For     time.Duration
}

// Name implements Fault.
func (HypervisorExitSlow) Name() string { return "hypervisor-exit-slow" }

// Args implements Fault.
func (f HypervisorExitSlow) Args() Args {
	return Args{{"sandbox", f.Sandbox}, {"for", sim.FormatDuration(f.For)}}
}

// Target implements SandboxFault.
func (f HypervisorExitSlow) Target() string { return f.Sandbox }

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
