package cgroups

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	cgroupsv3 "github.com/containerd/cgroups/v3"
	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/faultsim/faultsim/sim/systemd"
)

// kata3120 reproduces the shape of Kata Containers 3.12.0's
// src/runtime/pkg/resourcecontrol (cgroups.go, utils_linux.go) and the
// virtcontainers sandbox code that drives it, including its two defects
// in NewSandboxResourceController's systemd path:
//
//  1. createCgroupsSystemd's result is dropped and an earlier, nil err is
//     tested instead ("if createCgroupsSystemd(...); err != nil"), so a
//     systemd that rejects a property (IOAccounting on systemd 219) goes
//     unnoticed and no scope exists;
//  2. the v1/hybrid Load check is inverted ("if err != nil { cg.Update }"):
//     when the scope's cgroup is missing, Update is called on the nil
//     handle (SIGSEGV, the shim dies, containerd sees "ttrpc: closed");
//     when Load succeeds the limits are never applied. On v2 the load
//     cannot fail, so the limits are silently missing.
//
// Two calls differ from the real code because they would reach the host:
// cgroup2.LoadSystemd and Manager.DeleteSystemd hard-code /sys/fs/cgroup
// and D-Bus, so the same group is loaded with cgroup2.Load at the node's
// mount point and the unit is stopped through the node's systemd. The
// model passes the sandbox's full resources (Kata passes only the cpuset
// and devices, the rest is sized on the VM), and leaves devices out: on
// cgroup2 they are an eBPF program, which a directory tree cannot hold.
type kata3120 struct {
	env *Env
	sb  SandboxConfig
	// sandboxController and overheadController are the two LinuxCgroups.
	sandboxController, overheadController *linuxCgroup
	sandboxPath, overheadPath             string
}

// NewKata3120 builds the kata-3.12.0 controller.
func NewKata3120(env *Env) Controller { return &kata3120{env: env} }

// linuxCgroup is Kata's LinuxCgroup: a path and a cgroup1 or cgroup2 handle.
type linuxCgroup struct {
	env     *Env
	cgroup  any
	path    string
	cpusets *specs.LinuxCPU
}

// Create implements Controller.
func (k *kata3120) Create(sb SandboxConfig) error {
	k.sb = sb
	// createResourceController
	cgroupPath := sb.CgroupsPath
	if !IsSystemdCgroup(cgroupPath) {
		cgroupPath = RenameCgroupPath(cgroupPath)
	}
	res := sb.Resources
	ctrl, err := k.newSandboxResourceController(cgroupPath, &res, sb.SandboxCgroupOnly)
	if err != nil {
		//lint:ignore ST1005 the runtime's own message, reproduced verbatim
		return fmt.Errorf("Could not create the sandbox resource controller %v", err)
	}
	k.sandboxController = ctrl
	k.sandboxPath = ctrl.path
	if !sb.SandboxCgroupOnly {
		overhead, err := k.newResourceController(OverheadPath(sb.ID), &specs.LinuxResources{})
		if err != nil {
			return err
		}
		k.overheadController = overhead
		k.overheadPath = overhead.path
	}
	// setupResourceController
	vmm := k.sandboxController
	if k.overheadController != nil {
		vmm = k.overheadController
	}
	if err := vmm.addProcess(k.env.PID); err != nil {
		//lint:ignore ST1005 the runtime's own message, reproduced verbatim
		return fmt.Errorf("Could not add runtime PID %d to the sandbox %s resource controller: %v", k.env.PID, k.sandboxPath, err)
	}
	return nil
}

func (k *kata3120) newSandboxResourceController(path string, resources *specs.LinuxResources, sandboxCgroupOnly bool) (*linuxCgroup, error) {
	sandboxResources := *resources
	// Currently we know to handle systemd cgroup path only when it's the
	// only cgroup (no overhead group); otherwise it is treated as cgroupfs.
	if !IsSystemdCgroup(path) || !sandboxCgroupOnly {
		return k.newResourceController(path, &sandboxResources)
	}
	var cgroup any
	slice, unit, err := SliceAndUnit(path)
	if err != nil {
		return nil, err
	}
	// Defect 1: the result of createCgroupsSystemd is dropped and err,
	// still nil from SliceAndUnit, is what gets tested.
	if k.createCgroupsSystemd(slice, unit, k.env.PID); err != nil {
		return nil, err
	}
	switch k.env.Mode {
	case cgroupsv3.Legacy, cgroupsv3.Hybrid:
		cgPath, err := cgroupHierarchyPath(path)
		if err != nil {
			return nil, err
		}
		// load created cgroup and update with resources
		cg, err := cgroup1.Load(cgPath, cgroup1.WithHierarchy(k.env.V1Hierarchy))
		// Defect 2: inverted check. On a Load error cg is nil and Update
		// dereferences it; on success Update is never called. The
		// Update's own result is dropped as in the original.
		if err != nil {
			if cg.Update(&sandboxResources); err != nil {
				return nil, err
			}
		}
		cgroup = cg
	case cgroupsv3.Unified:
		cg, err := loadSystemd(k.env, slice, unit)
		if err != nil {
			if cg.Update(cgroup2.ToResources(&sandboxResources)); err != nil {
				return nil, err
			}
		}
		cgroup = cg
	default:
		return nil, errCgroupMode
	}
	return &linuxCgroup{env: k.env, path: path, cgroup: cgroup, cpusets: sandboxResources.CPU}, nil
}

var errCgroupMode = errors.New("cgroup controller type error")

// newResourceController is Kata's NewResourceController: the cgroupfs way.
func (k *kata3120) newResourceController(path string, resources *specs.LinuxResources) (*linuxCgroup, error) {
	var cgroup any
	var cgroupPath string
	var err error
	switch k.env.Mode {
	case cgroupsv3.Legacy, cgroupsv3.Hybrid:
		if cgroupPath, err = ValidCgroupPath(path, false, IsSystemdCgroup(path)); err != nil {
			return nil, err
		}
		if cgroup, err = cgroup1.New(cgroup1.StaticPath(cgroupPath), resources, cgroup1.WithHierarchy(k.env.V1Hierarchy)); err != nil {
			return nil, err
		}
	case cgroupsv3.Unified:
		if cgroupPath, err = ValidCgroupPath(path, true, IsSystemdCgroup(path)); err != nil {
			return nil, err
		}
		if cgroup, err = cgroup2.NewManager(k.env.UnifiedMountpoint(), cgroupPath, cgroup2.ToResources(resources)); err != nil {
			return nil, err
		}
	default:
		return nil, errCgroupMode
	}
	return &linuxCgroup{env: k.env, path: cgroupPath, cgroup: cgroup, cpusets: resources.CPU}, nil
}

// createCgroupsSystemd starts the sandbox's transient scope with Kata's
// properties, in Kata's order.
func (k *kata3120) createCgroupsSystemd(slice, unit string, pid int) error {
	props := []systemd.Property{
		{Name: "Description", Value: "cgroup " + unit},
		{Name: "DefaultDependencies", Value: "false"},
		{Name: "MemoryAccounting", Value: "true"},
		{Name: "CPUAccounting", Value: "true"},
		{Name: "IOAccounting", Value: "true"},
		{Name: "Slice", Value: slice},
		// Assume scopes always support delegation (supported since systemd v218).
		{Name: "Delegate", Value: "true"},
	}
	if pid != -1 {
		props = append(props, systemd.Property{Name: "PIDs", Value: strconv.Itoa(pid)})
	}
	_, err := k.env.Systemd.StartTransientUnit(unit, props)
	return err
}

// loadSystemd is cgroup2.LoadSystemd at the node's mount point: the
// slice's path and the unit, and no check that the cgroup exists.
func loadSystemd(env *Env, slice, unit string) (*cgroup2.Manager, error) {
	group, err := ScopeCgroup(slice, unit)
	if err != nil {
		return nil, err
	}
	return cgroup2.Load(group, cgroup2.WithMountpoint(env.UnifiedMountpoint()))
}

// cgroupHierarchyPath is Kata's: a static path for cgroupfs paths, the
// slice's expansion and the unit for systemd ones.
func cgroupHierarchyPath(path string) (cgroup1.Path, error) {
	if !IsSystemdCgroup(path) {
		return cgroup1.StaticPath(path), nil
	}
	slice, unit, err := SliceAndUnit(path)
	if err != nil {
		return nil, err
	}
	slicePath, _ := systemd.SlicePath(slice)
	return cgroup1.Slice(slicePath, unit), nil
}

// ValidCgroupPath is Kata's: systemd paths pass (prefixed with "/" on v2),
// absolute paths are cleaned, relative ones go under /vc.
func ValidCgroupPath(path string, isCgroupV2, systemdCgroup bool) (string, error) {
	if IsSystemdCgroup(path) {
		if isCgroupV2 {
			return filepath.Join("/", path), nil
		}
		return path, nil
	}
	if systemdCgroup {
		return "", fmt.Errorf("malformed systemd path '%v': expected to be of form 'slice:prefix:name'", path)
	}
	if filepath.IsAbs(path) {
		return filepath.Clean(path), nil
	}
	return filepath.Join("/vc", filepath.Clean("/"+path)), nil
}

// Update implements Controller.
func (k *kata3120) Update(res specs.LinuxResources, vcpus []int) error {
	// resourceControllerUpdate: the sandbox controller gets the union of
	// the cpusets (getSandboxCPUSet), then the vCPU threads are moved to it
	// when an overhead controller holds the rest (constrainHypervisor).
	var cpus, mems string
	if res.CPU != nil {
		cpus, mems = res.CPU.Cpus, res.CPU.Mems
	}
	if err := k.sandboxController.updateCpuSet(cpus, mems); err != nil {
		return err
	}
	if k.overheadController != nil {
		for _, tid := range vcpus {
			if err := k.sandboxController.addThread(tid); err != nil {
				return err
			}
		}
	}
	return nil
}

// Delete implements Controller.
func (k *kata3120) Delete() error {
	// Sandbox.Delete logs resourceControllerDelete's error and goes on.
	if err := k.resourceControllerDelete(); err != nil {
		k.env.Log("failed to cleanup the LinuxCgroup:%s resource controllers: %v", k.sandboxPath, err)
	}
	return nil
}

func (k *kata3120) resourceControllerDelete() error {
	if k.sandboxPath == "" {
		return nil
	}
	sandboxController, err := k.loadResourceController(k.sandboxPath)
	if err != nil {
		return err
	}
	if err := sandboxController.moveTo(sandboxController.parent()); err != nil {
		return err
	}
	k.env.sync()
	if err := sandboxController.delete(); err != nil {
		return err
	}
	if k.overheadPath != "" {
		overheadController, err := k.loadResourceController(k.overheadPath)
		if err != nil {
			return err
		}
		if err := k.overheadController.moveTo(overheadController.parent()); err != nil {
			return err
		}
		k.env.sync()
		if err := overheadController.delete(); err != nil {
			return err
		}
	}
	return nil
}

// loadResourceController is Kata's LoadResourceController as it was
// before kata-containers PR #11324 (merged after 3.12.0, fixing #11036):
// on cgroup2 any systemd-looking path is loaded as a systemd scope, even
// when sandbox_cgroup_only was off and the cgroup was made the cgroupfs way.
func (k *kata3120) loadResourceController(path string) (*linuxCgroup, error) {
	var cgroup any
	var err error
	switch k.env.Mode {
	case cgroupsv3.Legacy, cgroupsv3.Hybrid:
		cgPath, err := cgroupHierarchyPath(path)
		if err != nil {
			return nil, err
		}
		if cgroup, err = cgroup1.Load(cgPath, cgroup1.WithHierarchy(k.env.V1Hierarchy)); err != nil {
			return nil, err
		}
	case cgroupsv3.Unified:
		if IsSystemdCgroup(path) {
			slice, unit, err := SliceAndUnit(path)
			if err != nil {
				return nil, err
			}
			if cgroup, err = loadSystemd(k.env, slice, unit); err != nil {
				return nil, err
			}
		} else if cgroup, err = cgroup2.Load(path, cgroup2.WithMountpoint(k.env.UnifiedMountpoint())); err != nil {
			return nil, err
		}
	default:
		return nil, errCgroupMode
	}
	return &linuxCgroup{env: k.env, path: path, cgroup: cgroup}, nil
}
