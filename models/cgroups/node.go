package cgroups

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim/cgroupfs"
	"github.com/faultsim/faultsim/sim/systemd"
)

// Process IDs on the simulated node: containerd, and per sandbox (n from
// 1) its shim, hypervisor, the hypervisor's vCPU thread and virtiofsd.
const (
	containerdPID = 900
	containerdCg  = "/system.slice/containerd.service"
)

func shimPID(n int) int { return 1000 + 10*n }

// nodeSpec applies the case's node and its faults: the node faults
// (kernel, cgroup mode, systemd) to the node the profile describes, then
// the model's own cgroup faults to the cgroupfs built from that node.
func nodeSpec(c *Case) (CgroupNode, error) {
	nd, err := c.Node.Build()
	if err != nil {
		return CgroupNode{}, err
	}
	for _, f := range c.Faults {
		if nf, ok := f.(faults.NodeFault); ok {
			nf.ApplyNode(nd)
		}
	}
	n := CgroupNode{FS: cgroupfs.Spec{Profile: cgroupfs.ProfileOf(nd)}}
	for _, f := range c.Faults {
		if cf, ok := f.(CgroupFault); ok {
			cf.ApplyCgroups(&n)
		}
	}
	return n, nil
}

// kubeRoot is where kubelet puts pods for a driver.
func kubeRoot(driver string) string {
	if driver == DriverSystemd {
		return "/kubepods.slice"
	}
	return "/kubepods"
}

// podCgroup is kubelet's cgroup for a pod.
func podCgroup(driver, id string) string {
	if driver == DriverSystemd {
		return "/kubepods.slice/kubepods-" + id + ".slice"
	}
	return "/kubepods/" + id
}

// cgroupsPath is the sandbox container's OCI linux.cgroupsPath as
// containerd's CRI plugin writes it.
func cgroupsPath(driver, id string) string {
	if driver == DriverSystemd {
		return "kubepods-" + id + ".slice:cri-containerd:" + id
	}
	return "/kubepods/" + id + "/" + id
}

// sandboxCgroup is where a Kata-like runtime puts a sandbox's cgroup.
func sandboxCgroup(cfg Config, mode cgroupfs.Mode, id string) string {
	p := cgroupsPath(cfg.Driver, id)
	switch {
	case IsSystemdCgroup(p) && cfg.SandboxCgroupOnly:
		slice, unit, _ := SliceAndUnit(p)
		s, _ := ScopeCgroup(slice, unit)
		return s
	case IsSystemdCgroup(p):
		return "/" + p
	}
	return RenameCgroupPath(p)
}

// setupNode starts containerd and makes kubelet's pod root, enabling on
// cgroup2 what kubelet (cgroupfs driver: every available controller) or
// systemd (the controllers its version delegates) enables.
func (w *world) setupNode() error {
	if err := w.fs.StartProcess(containerdPID, "containerd", containerdCg); err != nil {
		return err
	}
	return w.fs.Mkdir(kubeRoot(w.c.Config.Driver), w.enableFor(w.c.Config.Driver))
}

// enableFor is what the node enables on cgroup2 for a cgroup it makes.
func (w *world) enableFor(driver string) []string {
	var out []string
	base := w.fs.Controllers()
	if driver == DriverSystemd {
		base = cgroupfs.SystemdV2Controllers(w.node.FS.Systemd)
	}
	for _, c := range base {
		if slices.Contains(w.fs.Controllers(), c) && !slices.Contains(w.node.FS.NotEnabled, c) {
			out = append(out, c)
		}
	}
	return out
}

// makePodCgroup is kubelet creating a pod's cgroup before RunPodSandbox.
func (w *world) makePodCgroup(id string) error {
	return w.fs.Mkdir(podCgroup(w.c.Config.Driver, id), w.enableFor(w.c.Config.Driver))
}

// systemdV1 are the v1 controllers systemd realises units' cgroups in.
var systemdV1 = []string{"cpu", "cpuacct", "blkio", "memory", "devices", "pids"}

// scopeStarted is systemd creating a scope's cgroup: only when the unit
// passed validation, so a rejected StartTransientUnit leaves no cgroup.
func (w *world) scopeStarted(u *systemd.Unit) error {
	if u.Kind() != "scope" {
		return nil
	}
	path, err := ScopeCgroup(u.Slice(), u.Name)
	if err != nil {
		return err
	}
	delegate := unitBool(u, "Delegate")
	var ctrls []string
	if w.node.FS.Mode == cgroupfs.Unified {
		for _, c := range cgroupfs.SystemdV2Controllers(w.node.FS.Systemd) {
			if delegate || accounts(u, c) {
				ctrls = append(ctrls, c)
			}
		}
		ctrls = w.notDisabled(ctrls)
		if err := w.fs.Mkdir(path, ctrls); err != nil {
			return err
		}
	} else {
		only := []string{""}
		for _, c := range systemdV1 {
			if delegate || accounts(u, c) {
				only = append(only, c)
			}
		}
		only = w.notDisabled(only)
		if err := w.fs.Mkdir(path, nil, only...); err != nil {
			return err
		}
	}
	for _, f := range strings.Fields(pidsOf(u)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return fmt.Errorf("org.freedesktop.DBus.Error.InvalidArgs: PIDs %q", f)
		}
		if err := w.fs.MoveProcess(pid, path); err != nil {
			return fmt.Errorf("%s: %w", "Failed to add PIDs to scope's control group", err) // systemd's own words
		}
	}
	w.note("systemd", "started %s (cgroup %s)", u.Name, path)
	return nil
}

func (w *world) notDisabled(ctrls []string) []string {
	return slices.DeleteFunc(ctrls, func(c string) bool { return slices.Contains(w.node.FS.NotEnabled, c) })
}

// accounts reports whether the unit's accounting settings make systemd
// realise a controller for it (TasksAccounting is on by default).
func accounts(u *systemd.Unit, c string) bool {
	switch c {
	case "cpu", "cpuacct":
		return unitBool(u, "CPUAccounting")
	case "memory":
		return unitBool(u, "MemoryAccounting")
	case "io", "blkio":
		return unitBool(u, "IOAccounting") || unitBool(u, "BlockIOAccounting")
	case "pids":
		v, ok := u.Get("TasksAccounting")
		return !ok || v == "true" || v == "yes" || v == "1"
	}
	return false
}

func unitBool(u *systemd.Unit, name string) bool {
	v, _ := u.Get(name)
	return v == "true" || v == "yes" || v == "1" || v == "on"
}

func pidsOf(u *systemd.Unit) string {
	var out []string
	for _, p := range u.Props {
		if p.Name == "PIDs" {
			out = append(out, p.Value)
		}
	}
	return strings.Join(out, " ")
}

// unitStopped is systemd stopping a scope: its processes are killed and
// its cgroup removed.
func (w *world) unitStopped(u *systemd.Unit) {
	if u.Kind() != "scope" {
		return
	}
	path, err := ScopeCgroup(u.Slice(), u.Name)
	if err != nil {
		return
	}
	for _, pid := range w.fs.SystemdTasks(path, true) {
		w.kill(pid, "killed by systemd stopping "+u.Name)
	}
	if w.fs.Exists(path) {
		if err := w.fs.Remove(path); err != nil {
			w.note("systemd", "could not remove %s: %v", path, err)
		}
	}
	w.note("systemd", "stopped %s", u.Name)
}

// collectScopes is systemd garbage-collecting scopes whose processes are
// all gone (a scope is stopped when it becomes empty).
func (w *world) collectScopes() {
	down := w.sd.Unavailable
	w.sd.Unavailable = false // garbage collection needs no bus
	defer func() { w.sd.Unavailable = down }()
	for _, u := range w.sd.Units() {
		path, err := ScopeCgroup(u.Slice(), u.Name)
		if u.Kind() != "scope" || err != nil {
			continue
		}
		if len(w.fs.SystemdTasks(path, true)) == 0 {
			_ = w.sd.Remove(u.Name)
		}
	}
}
