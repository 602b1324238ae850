package cgroups

import (
	"path/filepath"

	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func (c *linuxCgroup) parent() string { return filepath.Dir(c.path) }

func (c *linuxCgroup) addProcess(pid int) error {
	switch cg := c.cgroup.(type) {
	case cgroup1.Cgroup:
		return cg.AddProc(uint64(pid))
	case *cgroup2.Manager:
		return cg.AddProc(uint64(pid))
	}
	return errCgroupMode
}

func (c *linuxCgroup) addThread(tid int) error {
	switch cg := c.cgroup.(type) {
	case cgroup1.Cgroup:
		return cg.AddTask(cgroup1.Process{Pid: tid})
	case *cgroup2.Manager:
		return cg.AddProc(uint64(tid))
	}
	return errCgroupMode
}

// updateCpuSet is LinuxCgroup.UpdateCpuSet: the kept CPU settings with
// the new cpus and mems (when given), applied again.
func (c *linuxCgroup) updateCpuSet(cpuset, memset string) error {
	if len(cpuset) > 0 {
		if c.cpusets == nil {
			c.cpusets = &specs.LinuxCPU{}
		}
		c.cpusets.Cpus = cpuset
	}
	if len(memset) > 0 {
		if c.cpusets == nil {
			c.cpusets = &specs.LinuxCPU{}
		}
		c.cpusets.Mems = memset
	}
	return c.update(&specs.LinuxResources{CPU: c.cpusets})
}

func (c *linuxCgroup) update(res *specs.LinuxResources) error {
	switch cg := c.cgroup.(type) {
	case cgroup1.Cgroup:
		return cg.Update(res)
	case *cgroup2.Manager:
		return cg.Update(cgroup2.ToResources(res))
	}
	return errCgroupMode
}

func (c *linuxCgroup) moveTo(path string) error {
	switch cg := c.cgroup.(type) {
	case cgroup1.Cgroup:
		cgPath, err := cgroupHierarchyPath(path)
		if err != nil {
			return err
		}
		newCgroup, err := cgroup1.Load(cgPath, cgroup1.WithHierarchy(c.env.V1Hierarchy))
		if err != nil {
			return err
		}
		return cg.MoveTo(newCgroup)
	case *cgroup2.Manager:
		newCgroup, err := cgroup2.Load(path, cgroup2.WithMountpoint(c.env.UnifiedMountpoint()))
		if err != nil {
			return err
		}
		return cg.MoveTo(newCgroup)
	}
	return errCgroupMode
}

func (c *linuxCgroup) delete() error {
	switch cg := c.cgroup.(type) {
	case cgroup1.Cgroup:
		return cg.Delete()
	case *cgroup2.Manager:
		if IsSystemdCgroup(c.path) {
			// Manager.DeleteSystemd: StopUnit over D-Bus.
			_, unit, _ := SliceAndUnit(c.path)
			if err := c.env.Systemd.StopUnit(unit); err != nil {
				return err
			}
		}
		return cg.Delete()
	}
	return errCgroupMode
}
