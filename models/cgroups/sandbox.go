package cgroups

import (
	"slices"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
)

// sandboxState is where a sandbox is in its life, as kubelet knows it.
type sandboxState int

const (
	creating sandboxState = iota + 1
	failed                // RunPodSandbox failed
	live                  // RunPodSandbox succeeded
	stopping              // StopPodSandbox called, not yet confirmed
	deleted               // StopPodSandbox succeeded
)

// sandbox is one pod sandbox: its shim's controller, its processes and
// what the oracle knows of it.
type sandbox struct {
	n     int
	id    string
	state sandboxState
	cfg   SandboxConfig
	res   Resources
	// containers are the live containers' resources by id, in order.
	containers                 []container
	ctrl                       Controller
	shim, vmm, vcpu, virtiofsd int
	createErr                  error
	crashed                    bool
	// degraded: an update failed or its cgroup vanished; its limits are
	// no longer the runtime's to guarantee.
	degraded bool
	// before are the cgroups that existed before it was created; created
	// those that appeared while it was.
	before, created []string
	// owned are the cgroups its processes lived in while it ran, or that
	// appeared at its creation carrying values.
	owned   []string
	refused []cgroupfs.Refusal
	// checked says what the oracle last saw (node generation, state,
	// degraded, resources).
	checked string
	// request is kubelet's CRI call about it in flight.
	request *sim.Call
	// vmmExits is when a hypervisor that exits slowly is gone.
	vmmExits time.Duration
}

type container struct {
	id  string
	res Resources
}

// sized is what the sandbox's cgroup must carry now: its resources, with
// the union of its and its containers' cpusets.
func (sb *sandbox) sized() Resources {
	r := sb.res
	lists := []string{r.Cpus}
	for _, c := range sb.containers {
		lists = append(lists, c.res.Cpus)
	}
	r.Cpus = unionCpus(lists...)
	return r
}

func (sb *sandbox) processes() []int {
	var out []int
	for _, p := range []int{sb.shim, sb.vmm, sb.vcpu, sb.virtiofsd} {
		if p != 0 {
			out = append(out, p)
		}
	}
	return out
}

func (sb *sandbox) ownedList() []string { return slices.Clone(sb.owned) }

func (sb *sandbox) own(rel string) {
	if rel != "" && rel != "/" && !slices.Contains(sb.before, rel) && !slices.Contains(sb.owned, rel) {
		sb.owned = append(sb.owned, rel)
	}
}

// run is kubelet's RunPodSandbox through containerd to the Kata shim.
func (w *world) run(s *Step) {
	if sb := w.find(s.Sandbox); sb != nil && sb.state != failed && sb.state != deleted {
		w.note("kubelet", "sandbox %s exists already, skipped", s.Sandbox)
		return
	}
	n := len(w.sbs) + 1
	sb := &sandbox{n: n, id: s.Sandbox, state: creating, res: s.Resources, shim: shimPID(n)}
	sb.cfg = SandboxConfig{ID: s.Sandbox, CgroupsPath: cgroupsPath(w.c.Config.Driver, s.Sandbox),
		Resources: s.Resources.Spec(), SandboxCgroupOnly: w.c.Config.SandboxCgroupOnly}
	w.sbs = append(w.sbs, sb)
	w.send("kubelet", "containerd", "RunPodSandbox %s resources=%s", sb.id, sb.res)
	sb.request = w.begin("kubelet", "containerd", "RunPodSandbox", sb.id)
	if err := w.makePodCgroup(sb.id); err != nil {
		w.fail(err)
		return
	}
	for _, f := range w.c.Faults {
		if e, ok := f.(CgroupExists); ok && e.Sandbox == sb.id {
			w.leaveStaleCgroup(sb)
		}
	}
	sb.before = w.fs.Paths()
	if err := w.fs.Fork(sb.shim, "containerd-shim-kata-v2", containerdPID); err != nil {
		w.fail(err)
		return
	}
	env := &Env{Mode: cgroupfs.CGMode(w.node.FS.Mode), Mountpoint: w.fs.Mountpoint(), Systemd: bus{sd: w.sd, shim: "shim-" + sb.id, send: w.send}, PID: sb.shim,
		StartCgroup: containerdCg, Log: w.log("shim-" + sb.id), Sync: func() { w.sync(sb) }, mounted: w.v1Mounted}
	sb.ctrl = w.build(env)
	err := w.call(sb, "create sandbox cgroup(s) for "+sb.cfg.CgroupsPath, func() error { return sb.ctrl.Create(sb.cfg) })
	w.noteCreated(sb)
	if err != nil {
		w.createFailed(sb, err)
		return
	}
	w.startVM(sb)
	err = w.call(sb, "constrain the hypervisor", func() error { return sb.ctrl.Update(sb.sized().Spec(), []int{sb.vcpu}) })
	w.noteCreated(sb)
	if err != nil {
		w.stopVM(sb, 0)
		_ = w.call(sb, "clean up after failed start", sb.ctrl.Delete)
		w.createFailed(sb, err)
		return
	}
	sb.state = live
	w.calls.End(sb.request)
	w.send("containerd", "kubelet", "RunPodSandbox %s ok", sb.id)
	w.oracle.created(sb, nil)
}

// noteCreated records the cgroups that appeared during the creation.
func (w *world) noteCreated(sb *sandbox) {
	for _, p := range w.fs.Paths() {
		if !slices.Contains(sb.before, p) && !slices.Contains(sb.created, p) {
			sb.created = append(sb.created, p)
		}
	}
}

// createFailed: containerd reports the error and gets rid of the shim.
func (w *world) createFailed(sb *sandbox, err error) {
	if sb.state != creating {
		return
	}
	sb.state, sb.createErr = failed, err
	w.calls.End(sb.request)
	w.send("containerd", "kubelet", "RunPodSandbox %s failed: %v", sb.id, err)
	w.stopVM(sb, 0)
	w.kill(sb.shim, "containerd removes the failed sandbox's shim")
	w.noteCreated(sb)
	w.oracle.created(sb, err)
}

// startVM starts the hypervisor as the shim's child, with its vCPU
// thread, and virtiofsd for QEMU: they begin in the shim's cgroups.
func (w *world) startVM(sb *sandbox) {
	sb.vmm, sb.vcpu = sb.shim+1, sb.shim+2
	name := "qemu-system-x86_64"
	if w.c.Config.Hypervisor == Firecracker {
		name = "firecracker"
	}
	if w.c.Config.Hypervisor != Firecracker {
		sb.virtiofsd = sb.shim + 3
		if err := w.fs.Fork(sb.virtiofsd, "virtiofsd", sb.shim); err != nil {
			w.fail(err)
		}
	}
	if err := w.fs.Fork(sb.vmm, name, sb.shim); err != nil {
		w.fail(err)
	}
	if err := w.fs.StartThread(sb.vcpu, sb.vmm, "CPU 0/KVM"); err != nil {
		w.fail(err)
	}
	w.note("shim-"+sb.id, "VM started: %s %d (vCPU thread %d)", name, sb.vmm, sb.vcpu)
}

// stopVM stops the VM: the hypervisor (and virtiofsd) exit, the
// hypervisor after slow if it exits slowly, unmovable meanwhile.
func (w *world) stopVM(sb *sandbox, slow time.Duration) {
	if sb.virtiofsd != 0 {
		w.kill(sb.virtiofsd, "VM stopped")
	}
	if sb.vmm == 0 || !w.fs.Alive(sb.vmm) {
		return
	}
	if slow <= 0 {
		w.kill(sb.vmm, "VM stopped")
		return
	}
	w.fs.SetExiting(sb.vmm, true)
	sb.vmmExits = w.sched.Now() + slow
	w.note("node", "hypervisor %d is exiting, slowly (%s)", sb.vmm, slow)
	vmm := sb.vmm
	w.sched.After(slow, "hypervisor exits", w.event(func() {
		defer w.after()
		w.kill(vmm, "hypervisor finally exits")
	}))
}

// container is kubelet creating or removing a container: the sandbox's
// cgroup is resized.
func (w *world) container(s *Step) {
	sb := w.find(s.Sandbox)
	if sb == nil || sb.state != live {
		w.note("kubelet", "%s %s/%s: no running sandbox, skipped", s.Op, s.Sandbox, s.Container)
		return
	}
	next := slices.Clone(sb.containers)
	i := slices.IndexFunc(next, func(c container) bool { return c.id == s.Container })
	switch {
	case s.Op == OpAdd && i < 0:
		next = append(next, container{id: s.Container, res: s.Resources})
	case s.Op == OpRemove && i >= 0:
		next = slices.Delete(next, i, i+1)
	default:
		w.note("kubelet", "%s %s/%s: nothing to do", s.Op, s.Sandbox, s.Container)
		return
	}
	old := sb.containers
	sb.containers = next
	if s.Op == OpAdd {
		w.send("kubelet", "containerd", "%s %s/%s cpus=%q", s.Op, s.Sandbox, s.Container, s.Resources.Cpus)
	} else {
		w.send("kubelet", "containerd", "%s %s/%s", s.Op, s.Sandbox, s.Container)
	}
	sb.request = w.begin("kubelet", "containerd", s.Op, s.Sandbox+"/"+s.Container)
	err := w.call(sb, "update the sandbox cgroup to "+sb.sized().String(), func() error {
		return sb.ctrl.Update(sb.sized().Spec(), []int{sb.vcpu})
	})
	w.calls.End(sb.request)
	if err != nil {
		sb.containers, sb.degraded = old, true
		w.send("containerd", "kubelet", "%s %s/%s failed: %v", s.Op, s.Sandbox, s.Container, err)
	}
}

// stop is kubelet's StopPodSandbox: the VM stops, the shim deletes the
// sandbox's cgroups, and exits once that succeeded; kubelet retries a
// failed stop.
func (w *world) stop(id string) {
	sb := w.find(id)
	if sb == nil || (sb.state != live && sb.state != stopping) {
		return
	}
	if sb.state == live {
		sb.state = stopping
		w.send("kubelet", "containerd", "StopPodSandbox %s", id)
		var slow time.Duration
		for _, f := range w.c.Faults {
			if e, ok := f.(HypervisorExitSlow); ok && e.Sandbox == id {
				slow = e.For
			}
		}
		w.stopVM(sb, slow)
	} else {
		w.send("kubelet", "containerd", "StopPodSandbox %s (retry)", id)
	}
	sb.request = w.begin("kubelet", "containerd", "StopPodSandbox", id)
	err := w.call(sb, "delete the sandbox cgroup(s)", sb.ctrl.Delete)
	w.calls.End(sb.request)
	if err != nil {
		w.send("containerd", "kubelet", "StopPodSandbox %s failed: %v", id, err)
		w.sched.AfterLabel(KubeletRetry, sim.L("kubelet retry stop ", id), w.event(func() { defer w.after(); w.stop(id) }))
		return
	}
	sb.state = deleted
	w.send("containerd", "kubelet", "StopPodSandbox %s ok", id)
	w.kill(sb.shim, "the shim exits after the sandbox is deleted")
}

// leaveStaleCgroup makes the sandbox's cgroup exist before it runs, with
// the memory limit of an earlier sandbox.
func (w *world) leaveStaleCgroup(sb *sandbox) {
	rel := sandboxCgroup(w.c.Config, w.node.FS.Mode, sb.id)
	if err := w.fs.Mkdir(rel, w.enableFor(w.c.Config.Driver)); err != nil {
		w.fail(err)
		return
	}
	file, value := "memory.max", "67108864"
	if w.node.FS.Mode != cgroupfs.Unified {
		file = "memory.limit_in_bytes"
	}
	if w.fs.Path("memory", rel) != "" {
		if err := w.fs.SetValue(rel, "memory", file, value); err != nil {
			w.note("node", "stale limit not set: %v", err)
		}
	}
	w.note("node", "cgroup %s is left over from an earlier run (%s=%s)", rel, file, value)
}
