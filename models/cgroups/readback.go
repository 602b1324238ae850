package cgroups

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
)

// limitsRead are a cgroup's limits as read back from the node.
type limitsRead struct {
	// where says, per limit, which cgroup it was read in.
	where              map[string]string
	memory, pids       string
	weight, cpuMax     string
	shares, quota, per string
	cpus               string
}

// checkLimits reads the limits of the cgroup the sandbox's vCPU thread is
// in and compares them with the sandbox's resources.
func (o *oracle) checkLimits(sb *sandbox, now time.Duration) (sim.Violation, bool) {
	fs := o.w.fs
	if !fs.Alive(sb.vcpu) {
		return sim.Violation{}, true
	}
	want := sb.sized()
	var got limitsRead
	var err error
	if o.w.node.FS.Mode == cgroupfs.Unified {
		got, err = o.readV2(sb.vcpu)
	} else {
		got, err = o.readV1(sb.vcpu)
	}
	if err != nil {
		return sim.Violation{Invariant: InvLimits.Name, At: now,
			Message: fmt.Sprintf("sandbox %s: its limits cannot be read back: %v", sb.id, err)}, false
	}
	v1 := o.w.node.FS.Mode != cgroupfs.Unified
	type cmp struct{ what, got, want string }
	cmps := []cmp{{"memory", got.memory, memoryWant(want.Memory, v1)}, {"pids", got.pids, countOrMax(want.Pids, v1)},
		{"cpuset", got.cpus, cpusWant(want.Cpus, o.w.node.FS.CPUs)}}
	if v1 {
		cmps = append(cmps, cmp{"cpu.shares", got.shares, sharesWant(want.Shares)},
			cmp{"cpu.cfs_quota_us", got.quota, quotaWant(want.Quota)}, cmp{"cpu.cfs_period_us", got.per, strconv.Itoa(Period)})
	} else {
		cmps = append(cmps, cmp{"cpu.weight", got.weight, weightWant(want.Shares)},
			cmp{"cpu.max", got.cpuMax, cpuMaxWant(want.Quota)})
	}
	for _, c := range cmps {
		// A limit the resources leave unset may also be absent: the
		// runtime enables no controller for it in the sandbox's cgroup
		// (cgroup2), and nothing limits the sandbox there.
		if c.got != c.want && !(unsetLimit(want, c.what) && c.got == "absent") {
			return sim.Violation{Invariant: InvLimits.Name, At: now, Message: fmt.Sprintf(
				"sandbox %s's vCPU thread %d runs in %s where %s reads %q, want %q (resources %s)",
				sb.id, sb.vcpu, got.where[c.what], c.what, c.got, c.want, want)}, false
		}
	}
	return sim.Violation{}, true
}

// unsetLimit reports whether the resources leave the limit what unset.
func unsetLimit(r Resources, what string) bool {
	switch what {
	case "memory":
		return r.Memory == 0
	case "pids":
		return r.Pids == 0
	case "cpu.weight", "cpu.shares":
		return r.Shares == 0
	case "cpu.max", "cpu.cfs_quota_us", "cpu.cfs_period_us":
		return r.Quota == 0
	case "cpuset":
		return r.Cpus == ""
	}
	return false
}

func memoryWant(b int64, v1 bool) string {
	if b == 0 {
		if v1 {
			return "9223372036854771712"
		}
		return strconv.FormatUint(math.MaxUint64, 10)
	}
	return strconv.FormatInt(b/4096*4096, 10)
}

func countOrMax(n int64, v1 bool) string {
	if n == 0 {
		if v1 {
			return "0" // the v1 library reads "max" as 0
		}
		return strconv.FormatUint(math.MaxUint64, 10)
	}
	return strconv.FormatInt(n, 10)
}

func cpusWant(cpus string, n int) string {
	if cpus == "" {
		set := make([]int, n)
		for i := range set {
			set[i] = i
		}
		return cgroupfs.FormatList(set)
	}
	set, _ := cgroupfs.ParseList(cpus)
	return cgroupfs.FormatList(set)
}

func sharesWant(s uint64) string {
	if s == 0 {
		return "1024"
	}
	return strconv.FormatUint(min(max(s, 2), 262144), 10)
}

func quotaWant(q int64) string {
	if q == 0 {
		return "-1"
	}
	return strconv.FormatInt(q, 10)
}

func weightWant(s uint64) string {
	if s == 0 {
		return "100"
	}
	return strconv.FormatUint(cgroup2.ConvertCPUSharesToCgroupV2Value(s), 10)
}

func cpuMaxWant(q int64) string {
	if q == 0 {
		return "max " + strconv.Itoa(Period)
	}
	return fmt.Sprintf("%d %d", q, Period)
}

// readV2 reads a thread's cgroup2 limits: memory and pids through the
// library's Stat, the rest from the interface files, each only when the
// cgroup has the controller (cgroup.controllers, read by the library).
func (o *oracle) readV2(tid int) (limitsRead, error) {
	fs := o.w.fs
	rel, _ := fs.CgroupOf(tid, "")
	m, err := cgroup2.Load(rel, cgroup2.WithMountpoint(fs.UnifiedMountpoint()))
	if err != nil {
		return limitsRead{}, err
	}
	ctrls, err := m.Controllers()
	if err != nil {
		return limitsRead{}, err
	}
	where := "cgroup2:" + rel
	out := limitsRead{where: map[string]string{}, memory: "absent", pids: "absent", weight: "absent", cpuMax: "absent"}
	for _, k := range []string{"memory", "pids", "cpu.weight", "cpu.max", "cpuset"} {
		out.where[k] = where
	}
	st, err := m.StatFiltered(cgroup2.StatPids | cgroup2.StatMemory)
	if err != nil {
		return limitsRead{}, err
	}
	dir := fs.Path("", rel)
	if slices.Contains(ctrls, "memory") {
		out.memory = strconv.FormatUint(st.Memory.UsageLimit, 10)
	}
	if slices.Contains(ctrls, "pids") {
		out.pids = strconv.FormatUint(st.Pids.Limit, 10)
	}
	if slices.Contains(ctrls, "cpu") {
		out.weight, out.cpuMax = readFile(fs, dir, "cpu.weight"), readFile(fs, dir, "cpu.max")
	}
	out.cpus = cpusWant("", fs.Spec().CPUs)
	if slices.Contains(ctrls, "cpuset") {
		out.cpus = readFile(fs, dir, "cpuset.cpus.effective")
	}
	return out, nil
}

// readV1 reads a thread's v1 limits, each in the hierarchy of its
// controller: memory and pids through the library's Stat.
func (o *oracle) readV1(tid int) (limitsRead, error) {
	fs := o.w.fs
	root := fs.Mountpoint()
	out := limitsRead{where: map[string]string{}, memory: "absent", pids: "absent", shares: "absent",
		quota: "absent", per: "absent", cpus: cpusWant("", fs.Spec().CPUs)}
	load := func(ctrl string, sub cgroup1.Subsystem) (cgroup1.Cgroup, string, error) {
		rel, _ := fs.CgroupOf(tid, ctrl)
		out.where[ctrl] = ctrl + ":" + rel
		cg, err := cgroup1.Load(cgroup1.StaticPath(rel), cgroup1.WithHierarchy(func() ([]cgroup1.Subsystem, error) {
			return []cgroup1.Subsystem{sub}, nil
		}))
		return cg, rel, err
	}
	if fs.Path("memory", "/") != "" {
		cg, _, err := load("memory", cgroup1.NewMemory(root, cgroup1.IgnoreModules("memsw", "kmem", "kmem.tcp")))
		if err != nil {
			return out, err
		}
		st, err := cg.Stat(cgroup1.IgnoreNotExist)
		if err != nil {
			return out, err
		}
		if st.Memory != nil && st.Memory.Usage != nil {
			out.memory = strconv.FormatUint(st.Memory.Usage.Limit, 10)
		}
	}
	if fs.Path("pids", "/") != "" {
		cg, _, err := load("pids", cgroup1.NewPids(root))
		if err != nil {
			return out, err
		}
		st, err := cg.Stat(cgroup1.IgnoreNotExist)
		if err != nil {
			return out, err
		}
		if st.Pids != nil {
			out.pids = strconv.FormatUint(st.Pids.Limit, 10)
		}
	}
	if fs.Path("cpu", "/") != "" {
		rel, _ := fs.CgroupOf(tid, "cpu")
		for _, k := range []string{"cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us"} {
			out.where[k] = "cpu:" + rel
		}
		dir := fs.Path("cpu", rel)
		out.shares, out.quota, out.per = readFile(fs, dir, "cpu.shares"), readFile(fs, dir, "cpu.cfs_quota_us"), readFile(fs, dir, "cpu.cfs_period_us")
	}
	if fs.Path("cpuset", "/") != "" {
		rel, _ := fs.CgroupOf(tid, "cpuset")
		out.where["cpuset"] = "cpuset:" + rel
		out.cpus = readFile(fs, fs.Path("cpuset", rel), "cpuset.effective_cpus")
	}
	return out, nil
}

func readFile(fs *cgroupfs.FS, dir, name string) string {
	b, err := fs.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "absent"
	}
	return strings.TrimSpace(b)
}

// checkContained: every process of the sandbox is listed, by the library,
// in the cgroup its vCPU thread is in, in each hierarchy.
func (o *oracle) checkContained(sb *sandbox, now time.Duration) (sim.Violation, bool) {
	fs := o.w.fs
	if !fs.Alive(sb.vcpu) {
		return sim.Violation{}, true
	}
	for _, ctrl := range []string{"", "cpu", "cpuset", "memory", "pids"} {
		rel, ok := fs.CgroupOf(sb.vcpu, ctrl)
		if !ok {
			continue
		}
		procs, err := o.procs(ctrl, rel)
		if err != nil {
			return sim.Violation{Invariant: InvContained.Name, At: now,
				Message: fmt.Sprintf("sandbox %s: cannot list the processes of %s: %v", sb.id, rel, err)}, false
		}
		for _, pid := range sb.processes() {
			if pid != sb.vcpu && fs.Alive(pid) && !slices.Contains(procs, pid) {
				label := ctrl
				if label == "" {
					label = "the process-tracking hierarchy"
				}
				return sim.Violation{Invariant: InvContained.Name, At: now, Message: fmt.Sprintf(
					"sandbox %s: process %d is not in its cgroup %s in %s (it lists %v)", sb.id, pid, rel, label, procs)}, false
			}
		}
	}
	return sim.Violation{}, true
}

// procs lists a cgroup's processes through the library.
func (o *oracle) procs(ctrl, rel string) ([]int, error) {
	fs := o.w.fs
	var out []int
	if fs.Spec().Mode == cgroupfs.Unified {
		m, err := cgroup2.Load(rel, cgroup2.WithMountpoint(fs.UnifiedMountpoint()))
		if err != nil {
			return nil, err
		}
		ps, err := m.Procs(false)
		for _, p := range ps {
			out = append(out, int(p))
		}
		return out, err
	}
	env := &Env{Mountpoint: fs.Mountpoint(), mounted: o.w.v1Mounted}
	subs, _ := env.V1Hierarchy()
	name := ctrl
	if name == "" {
		name = "systemd"
	}
	i := slices.IndexFunc(subs, func(s cgroup1.Subsystem) bool { return string(s.Name()) == name })
	if i < 0 {
		return nil, nil
	}
	cg, err := cgroup1.Load(cgroup1.StaticPath(rel), cgroup1.WithHierarchy(func() ([]cgroup1.Subsystem, error) {
		return []cgroup1.Subsystem{subs[i]}, nil
	}))
	if err != nil {
		return nil, err
	}
	ps, err := cg.Processes(subs[i].Name(), false)
	for _, p := range ps {
		out = append(out, p.Pid)
	}
	return out, err
}

// checkGone: once none of the sandbox's processes is left, none of the
// cgroups it used and no systemd unit of it may remain.
func (o *oracle) checkGone(sb *sandbox, now time.Duration, inv sim.Invariant) (sim.Violation, bool) {
	r := o.w.remains(sb, false)
	switch {
	case len(r.pids) > 0:
		return sim.Violation{}, true
	case len(r.cgroups) > 0:
		return sim.Violation{Invariant: inv.Name, At: now,
			Message: fmt.Sprintf("sandbox %s is gone but its cgroup %s remains", sb.id, r.cgroups[0])}, false
	case len(r.units) > 0:
		return sim.Violation{Invariant: inv.Name, At: now,
			Message: fmt.Sprintf("sandbox %s is gone but systemd unit %s remains", sb.id, r.units[0])}, false
	}
	return sim.Violation{}, true
}

// remnants is what of a sandbox is still on the node.
type remnants struct {
	pids    []int    // its processes still alive
	cgroups []string // the cgroups it made that exist, relative to the mount
	units   []string // its systemd scope, if loaded
}

// remains lists what of sb is still on the node: all of it, or (all
// false, the invariant's check after every event) the first thing found,
// in the order processes, cgroups, unit.
func (w *world) remains(sb *sandbox, all bool) remnants {
	var r remnants
	for _, pid := range sb.processes() {
		if w.fs.Alive(pid) {
			if r.pids = append(r.pids, pid); !all {
				return r
			}
		}
	}
	for _, rel := range sb.owned {
		if w.fs.Exists(rel) {
			if r.cgroups = append(r.cgroups, rel); !all {
				return r
			}
		}
	}
	for _, u := range w.sd.Units() {
		if u.Name == "cri-containerd-"+sb.id+".scope" {
			r.units = append(r.units, u.Name)
		}
	}
	return r
}
