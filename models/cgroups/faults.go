package cgroups

import (
	"slices"
	"time"

	"github.com/faultsim/faultsim/faults"
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
	faults.Fault
	ApplyCgroups(n *CgroupNode)
}

// SandboxFault happens to one sandbox's cgroups or processes; the model
// decides when (its cgroup is left over before the sandbox runs, vanishes
// after, its hypervisor takes long to exit when it stops).
type SandboxFault interface {
	faults.Fault
	Target() string
}

func cgroupFaultSpecs() (specs []faults.Spec) {
	ctrl := faults.Param{Name: "controller", Type: faults.String, Summary: "cgroup controller", OneOf: cgroupfs.ControllerNames()}
	file := faults.Param{Name: "file", Type: faults.String, Summary: "cgroup interface file", OneOf: cgroupfs.InterfaceFileNames()}
	sandbox := faults.Param{Name: "sandbox", Type: faults.String, Summary: "the sandbox it happens to"}
	specs = append(specs, faults.Spec{Name: "controller-missing", Kind: faults.Host,
		Summary: "the kernel lacks a controller (cgroup_disable=): absent from cgroup.controllers on v2, not mounted on v1",
		Params:  []faults.Param{ctrl},
		Build: func(a faults.Args) (faults.Fault, error) {
			return ControllerMissing{Controller: a.Get("controller")}, nil
		}})
	specs = append(specs, faults.Spec{Name: "controller-not-enabled", Kind: faults.Host,
		Summary: "systemd and kubelet do not enable a controller below the root (cgroup.subtree_control), nor create units' cgroups for it on v1",
		Params:  []faults.Param{ctrl},
		Build: func(a faults.Args) (faults.Fault, error) {
			return ControllerNotEnabled{Controller: a.Get("controller")}, nil
		}})
	specs = append(specs, faults.Spec{Name: "interface-file-missing", Kind: faults.Host,
		Summary: "the kernel lacks an interface file in every cgroup (a config option or boot parameter off): writes fail with EACCES",
		Params:  []faults.Param{file},
		Build:   func(a faults.Args) (faults.Fault, error) { return FileMissing{File: a.Get("file")}, nil }})
	specs = append(specs, faults.Spec{Name: "interface-file-read-only", Kind: faults.Host,
		Summary: "writes to an interface file are refused with EACCES in every cgroup",
		Params:  []faults.Param{file},
		Build:   func(a faults.Args) (faults.Fault, error) { return FileReadOnly{File: a.Get("file")}, nil }})
	specs = append(specs, faults.Spec{Name: "systemd-bus-down", Kind: faults.Host,
		Summary: "systemd's D-Bus API does not answer: StartTransientUnit and StopUnit fail",
		Build:   func(faults.Args) (faults.Fault, error) { return BusDown{}, nil }})
	specs = append(specs, faults.Spec{Name: "cgroup-exists", Kind: faults.Host,
		Summary: "the sandbox's cgroup is already there before it runs, left over with a stale memory limit",
		Params:  []faults.Param{sandbox},
		Build:   func(a faults.Args) (faults.Fault, error) { return CgroupExists{Sandbox: a.Get("sandbox")}, nil }})
	specs = append(specs, faults.Spec{Name: "cgroup-vanishes", Kind: faults.Timing,
		Summary: "the sandbox's cgroup directories are removed behind the runtime's back at a virtual time, if no process is in them",
		Params:  []faults.Param{sandbox, {Name: "at", Type: faults.Duration, Summary: "virtual time it vanishes"}},
		Build: func(a faults.Args) (faults.Fault, error) {
			return CgroupVanishes{Sandbox: a.Get("sandbox"), At: a.Duration("at")}, nil
		}})
	specs = append(specs, faults.Spec{Name: "hypervisor-exit-slow", Kind: faults.Timing,
		Summary: "the sandbox's hypervisor keeps exiting for a while after its VM is stopped: it stays in its cgroup and cannot be moved",
		Params:  []faults.Param{sandbox, {Name: "for", Type: faults.Duration, Summary: "how long it takes to exit"}},
		Build: func(a faults.Args) (faults.Fault, error) {
			return HypervisorExitSlow{Sandbox: a.Get("sandbox"), For: a.Duration("for")}, nil
		}})
	return
}

// ControllerMissing removes a controller from the kernel.
type ControllerMissing struct{ Controller string }

// Name implements Fault.
func (ControllerMissing) Name() string { return "controller-missing" }

// Args implements Fault.
func (f ControllerMissing) Args() faults.Args {
	return faults.Args{{Name: "controller", Value: f.Controller}}
}

// ApplyCgroups implements CgroupFault.
func (f ControllerMissing) ApplyCgroups(n *CgroupNode) {
	n.FS.MissingControllers = appendNew(n.FS.MissingControllers, f.Controller)
}

// ControllerNotEnabled keeps a controller from being handed down.
type ControllerNotEnabled struct{ Controller string }

// Name implements Fault.
func (ControllerNotEnabled) Name() string { return "controller-not-enabled" }

// Args implements Fault.
func (f ControllerNotEnabled) Args() faults.Args {
	return faults.Args{{Name: "controller", Value: f.Controller}}
}

// ApplyCgroups implements CgroupFault.
func (f ControllerNotEnabled) ApplyCgroups(n *CgroupNode) {
	n.FS.NotEnabled = appendNew(n.FS.NotEnabled, f.Controller)
}

// FileMissing removes an interface file from the kernel.
type FileMissing struct{ File string }

// Name implements Fault.
func (FileMissing) Name() string { return "interface-file-missing" }

// Args implements Fault.
func (f FileMissing) Args() faults.Args { return faults.Args{{Name: "file", Value: f.File}} }

// ApplyCgroups implements CgroupFault.
func (f FileMissing) ApplyCgroups(n *CgroupNode) {
	n.FS.MissingFiles = appendNew(n.FS.MissingFiles, f.File)
}

// FileReadOnly makes an interface file refuse writes.
type FileReadOnly struct{ File string }

// Name implements Fault.
func (FileReadOnly) Name() string { return "interface-file-read-only" }

// Args implements Fault.
func (f FileReadOnly) Args() faults.Args { return faults.Args{{Name: "file", Value: f.File}} }

// ApplyCgroups implements CgroupFault.
func (f FileReadOnly) ApplyCgroups(n *CgroupNode) {
	n.FS.ReadOnlyFiles = appendNew(n.FS.ReadOnlyFiles, f.File)
}

// BusDown takes systemd's D-Bus API down.
type BusDown struct{}

// Name implements Fault.
func (BusDown) Name() string { return "systemd-bus-down" }

// Args implements Fault.
func (BusDown) Args() faults.Args { return nil }

// ApplyCgroups implements CgroupFault.
func (BusDown) ApplyCgroups(n *CgroupNode) { n.BusDown = true }

// CgroupExists leaves a sandbox's cgroup over from an earlier run.
type CgroupExists struct{ Sandbox string }

// Name implements Fault.
func (CgroupExists) Name() string { return "cgroup-exists" }

// Args implements Fault.
func (f CgroupExists) Args() faults.Args { return faults.Args{{Name: "sandbox", Value: f.Sandbox}} }

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
func (f CgroupVanishes) Args() faults.Args {
	return faults.Args{{Name: "sandbox", Value: f.Sandbox}, {Name: "at", Value: sim.FormatDuration(f.At)}}
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
func (f HypervisorExitSlow) Args() faults.Args {
	return faults.Args{{Name: "sandbox", Value: f.Sandbox}, {Name: "for", Value: sim.FormatDuration(f.For)}}
}

// Target implements SandboxFault.
func (f HypervisorExitSlow) Target() string { return f.Sandbox }

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
