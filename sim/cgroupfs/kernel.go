package cgroupfs

import (
	"slices"
	"strings"
	"sync"

	"github.com/faultsim/faultsim/sim"
)

// where says in which cgroups of a hierarchy an interface file exists.
type where int

const (
	everywhere where = iota
	rootOnly
	nonRoot
)

// fileFact is one interface file as a kernel has it: from which version,
// where, whether the tree materialises it (the files runtimes read), whether
// it can be written, and its value in a fresh cgroup.
type fileFact struct {
	name  string
	since string
	where where
	mat   bool
	rw    bool
	def   string
}

// controllerFact is one controller: the kernel version that has it in
// each hierarchy ("" for never) and its interface files there.
type controllerFact struct {
	name    string
	v2Since string
	v1Since string
	v2Files []fileFact
	v1Files []fileFact
}

// coreV2 are the files of every cgroup2 cgroup (cgroup-v2.rst, "Core
// Interface Files"). Contents of the computed ones are rendered by the tree.
var coreV2 = []fileFact{
	{"cgroup.controllers", "4.5", everywhere, true, false, ""},
	{"cgroup.subtree_control", "4.5", everywhere, true, true, ""},
	{"cgroup.procs", "4.5", everywhere, true, true, ""},
	{"cgroup.events", "4.5", nonRoot, false, false, ""},
	{"cgroup.threads", "4.14", everywhere, false, true, ""},
	{"cgroup.type", "4.14", nonRoot, false, true, "domain"},
	{"cgroup.max.descendants", "4.14", everywhere, false, true, "max"},
	{"cgroup.max.depth", "4.14", everywhere, false, true, "max"},
	{"cgroup.stat", "4.14", everywhere, false, false, ""},
	{"cgroup.freeze", "5.2", nonRoot, false, true, "0"},
	{"cgroup.kill", "5.14", nonRoot, false, true, ""},
	{"cpu.pressure", "4.20", everywhere, false, true, ""},
	{"memory.pressure", "4.20", everywhere, false, true, ""},
	{"io.pressure", "4.20", everywhere, false, true, ""},
	{"irq.pressure", "6.1", everywhere, false, true, ""},
}

// coreV1 are the files of every cgroup of a v1 hierarchy
// (cgroup-v1/cgroups.rst, section 1.4).
var coreV1 = []fileFact{
	{"cgroup.procs", "2.6.24", everywhere, true, true, ""},
	{"tasks", "2.6.24", everywhere, false, true, ""},
	{"notify_on_release", "2.6.24", everywhere, false, true, "0"},
	{"cgroup.clone_children", "3.0", everywhere, false, true, "0"},
	{"release_agent", "2.6.24", rootOnly, false, true, ""},
	{"cgroup.sane_behavior", "3.16", rootOnly, false, false, "0"},
}

// controllers are the controllers the simulated kernels know, in the
// kernel's subsystem order (include/linux/cgroup_subsys.h), which is the
// order cgroup.controllers and cgroup.subtree_control list them in.
var controllers = []controllerFact{
	{name: "cpuset", v2Since: "5.0", v1Since: "2.6.24",
		v2Files: []fileFact{
			{"cpuset.cpus", "5.0", nonRoot, true, true, ""},
			{"cpuset.mems", "5.0", nonRoot, true, true, ""},
			{"cpuset.cpus.effective", "5.0", everywhere, true, false, ""},
			{"cpuset.mems.effective", "5.0", everywhere, true, false, ""},
		},
		v1Files: []fileFact{
			{"cpuset.cpus", "2.6.24", everywhere, true, true, ""},
			{"cpuset.mems", "2.6.24", everywhere, true, true, ""},
			{"cpuset.effective_cpus", "4.1", everywhere, true, false, ""},
			{"cpuset.effective_mems", "4.1", everywhere, true, false, ""},
			{"cpuset.cpu_exclusive", "2.6.24", everywhere, false, true, "0"},
			{"cpuset.mem_exclusive", "2.6.24", everywhere, false, true, "0"},
			{"cpuset.memory_migrate", "2.6.24", everywhere, false, true, "0"},
			{"cpuset.sched_load_balance", "2.6.24", everywhere, false, true, "1"},
		}},
	{name: "cpu", v2Since: "4.15", v1Since: "2.6.24",
		v2Files: []fileFact{
			{"cpu.stat", "4.15", everywhere, false, false, "usage_usec 0\nuser_usec 0\nsystem_usec 0\n"},
			{"cpu.weight", "4.15", nonRoot, true, true, "100"},
			{"cpu.weight.nice", "4.15", nonRoot, false, true, "0"},
			{"cpu.max", "4.15", nonRoot, true, true, "max 100000"},
			{"cpu.uclamp.min", "5.3", nonRoot, false, true, "0.00"},
			{"cpu.uclamp.max", "5.3", nonRoot, false, true, "max"},
			{"cpu.max.burst", "5.14", nonRoot, false, true, "0"},
			{"cpu.idle", "5.15", nonRoot, false, true, "0"},
		},
		v1Files: []fileFact{
			{"cpu.shares", "2.6.24", everywhere, true, true, "1024"},
			{"cpu.cfs_period_us", "2.6.39", everywhere, true, true, "100000"},
			{"cpu.cfs_quota_us", "2.6.39", everywhere, true, true, "-1"},
			{"cpu.stat", "2.6.39", everywhere, false, false, "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n"},
			{"cpu.cfs_burst_us", "5.14", everywhere, false, true, "0"},
			{"cpu.idle", "5.15", everywhere, false, true, "0"},
		}},
	{name: "cpuacct", v1Since: "2.6.24",
		v1Files: []fileFact{
			{"cpuacct.usage", "2.6.24", everywhere, false, true, "0"},
			{"cpuacct.stat", "2.6.29", everywhere, false, false, "user 0\nsystem 0\n"},
			{"cpuacct.usage_percpu", "2.6.24", everywhere, false, false, ""},
		}},
	{name: "io", v2Since: "4.5",
		v2Files: []fileFact{
			{"io.stat", "4.5", everywhere, false, false, ""},
			{"io.max", "4.5", nonRoot, false, true, ""},
			{"io.latency", "4.19", nonRoot, false, true, ""},
			{"io.weight", "5.4", nonRoot, false, true, "default 100"},
			{"io.cost.qos", "5.4", rootOnly, false, true, ""},
			{"io.cost.model", "5.4", rootOnly, false, true, ""},
		}},
	{name: "blkio", v1Since: "2.6.33",
		v1Files: []fileFact{
			{"blkio.throttle.read_bps_device", "2.6.37", everywhere, false, true, ""},
			{"blkio.throttle.write_bps_device", "2.6.37", everywhere, false, true, ""},
			{"blkio.throttle.read_iops_device", "2.6.37", everywhere, false, true, ""},
			{"blkio.throttle.write_iops_device", "2.6.37", everywhere, false, true, ""},
			{"blkio.reset_stats", "2.6.33", everywhere, false, true, ""},
		}},
	{name: "memory", v2Since: "4.5", v1Since: "2.6.25",
		v2Files: []fileFact{
			{"memory.current", "4.5", nonRoot, false, false, "0"},
			{"memory.min", "4.18", nonRoot, false, true, "0"},
			{"memory.low", "4.5", nonRoot, false, true, "0"},
			{"memory.high", "4.5", nonRoot, false, true, "max"},
			{"memory.max", "4.5", nonRoot, true, true, "max"},
			{"memory.events", "4.5", nonRoot, false, false, "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"},
			{"memory.events.local", "5.2", nonRoot, false, false, ""},
			{"memory.stat", "4.5", nonRoot, true, false, "anon 0\nfile 0\n"},
			{"memory.swap.current", "4.5", nonRoot, false, false, "0"},
			{"memory.swap.max", "4.5", nonRoot, false, true, "max"},
			{"memory.oom.group", "4.19", nonRoot, false, true, "0"},
			{"memory.swap.high", "5.8", nonRoot, false, true, "max"},
			{"memory.peak", "5.19", nonRoot, false, false, "0"},
			{"memory.reclaim", "5.19", everywhere, false, true, ""},
			{"memory.zswap.current", "5.19", nonRoot, false, false, "0"},
			{"memory.zswap.max", "5.19", nonRoot, false, true, "max"},
		},
		v1Files: []fileFact{
			{"memory.limit_in_bytes", "2.6.25", everywhere, true, true, v1Unlimited},
			{"memory.soft_limit_in_bytes", "2.6.27", everywhere, false, true, v1Unlimited},
			{"memory.usage_in_bytes", "2.6.25", everywhere, true, false, "0"},
			{"memory.max_usage_in_bytes", "2.6.25", everywhere, true, true, "0"},
			{"memory.failcnt", "2.6.25", everywhere, true, true, "0"},
			{"memory.stat", "2.6.25", everywhere, true, false, "cache 0\nrss 0\n"},
			{"memory.oom_control", "2.6.34", everywhere, true, true, "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"},
			{"memory.swappiness", "2.6.31", everywhere, false, true, "60"},
			{"memory.use_hierarchy", "2.6.29", everywhere, false, true, "1"},
			{"memory.memsw.limit_in_bytes", "2.6.29", everywhere, false, true, v1Unlimited},
			{"memory.memsw.usage_in_bytes", "2.6.29", everywhere, false, false, "0"},
		}},
	{name: "devices", v1Since: "2.6.26",
		v1Files: []fileFact{
			{"devices.allow", "2.6.26", nonRoot, false, true, ""},
			{"devices.deny", "2.6.26", nonRoot, false, true, ""},
			{"devices.list", "2.6.26", everywhere, false, false, "a *:* rwm"},
		}},
	{name: "freezer", v1Since: "2.6.28",
		v1Files: []fileFact{
			{"freezer.state", "2.6.28", nonRoot, false, true, "THAWED"},
			{"freezer.self_freezing", "3.12", nonRoot, false, false, "0"},
			{"freezer.parent_freezing", "3.12", nonRoot, false, false, "0"},
		}},
	{name: "net_cls", v1Since: "2.6.29",
		v1Files: []fileFact{{"net_cls.classid", "2.6.29", everywhere, false, true, "0"}}},
	{name: "perf_event", v2Since: "4.11", v1Since: "2.6.39"},
	{name: "net_prio", v1Since: "3.3",
		v1Files: []fileFact{
			{"net_prio.prioidx", "3.3", everywhere, false, false, ""},
			{"net_prio.ifpriomap", "3.3", everywhere, false, true, ""},
		}},
	{name: "hugetlb", v2Since: "5.6", v1Since: "3.6"},
	{name: "pids", v2Since: "4.5", v1Since: "4.3",
		v2Files: []fileFact{
			{"pids.max", "4.5", nonRoot, true, true, "max"},
			{"pids.current", "4.5", nonRoot, true, false, "0"},
			{"pids.events", "4.5", nonRoot, false, false, "max 0"},
		},
		v1Files: []fileFact{
			{"pids.max", "4.3", nonRoot, true, true, "max"},
			{"pids.current", "4.3", nonRoot, true, false, "0"},
			{"pids.events", "4.3", nonRoot, false, false, "max 0"},
		}},
	{name: "rdma", v2Since: "4.11", v1Since: "4.11",
		v2Files: []fileFact{
			{"rdma.max", "4.11", nonRoot, false, true, ""},
			{"rdma.current", "4.11", nonRoot, false, false, ""},
		},
		v1Files: []fileFact{
			{"rdma.max", "4.11", nonRoot, false, true, ""},
			{"rdma.current", "4.11", nonRoot, false, false, ""},
		}},
	{name: "misc", v2Since: "5.13", v1Since: "5.13",
		v2Files: []fileFact{
			{"misc.capacity", "5.13", rootOnly, false, false, ""},
			{"misc.current", "5.13", nonRoot, false, false, ""},
			{"misc.max", "5.13", nonRoot, false, true, ""},
			{"misc.events", "5.16", nonRoot, false, false, ""},
		},
		v1Files: []fileFact{
			{"misc.capacity", "5.13", rootOnly, false, false, ""},
			{"misc.current", "5.13", nonRoot, false, false, ""},
			{"misc.max", "5.13", nonRoot, false, true, ""},
		}},
}

// v1Unlimited is what memory.limit_in_bytes reads when no limit is set on
// x86-64: PAGE_COUNTER_MAX pages of 4 KiB.
const v1Unlimited = "9223372036854771712"

// pageSize is the simulated node's page size: memory limits are rounded
// down to a multiple of it, as page_counter_memparse does.
const pageSize = 4096

// v2Visible lists controllers that cgroup.controllers shows. perf_event is
// enabled implicitly on cgroup2 and never listed (cgroup-v2.rst, "perf_event").
func v2Visible(name string) bool { return name != "perf_event" }

func has(k sim.Version, since string) bool { return since != "" && k.AtLeast(sim.MustVersion(since)) }

func lookupController(name string) *controllerFact {
	for i := range controllers {
		if controllers[i].name == name {
			return &controllers[i]
		}
	}
	return nil
}

// V2Controllers lists the controllers a kernel has on cgroup2, in kernel
// order, before any quirk removes one.
func V2Controllers(k sim.Version) []string {
	var out []string
	for _, c := range controllers {
		if has(k, c.v2Since) && v2Visible(c.name) {
			out = append(out, c.name)
		}
	}
	return out
}

// V1Controllers lists the controllers a kernel has on cgroup v1, in kernel
// order.
func V1Controllers(k sim.Version) []string {
	var out []string
	for _, c := range controllers {
		if has(k, c.v1Since) {
			out = append(out, c.name)
		}
	}
	return out
}

// KnownController reports whether name is a controller any simulated
// kernel has.
func KnownController(name string) bool { return lookupController(name) != nil }

// ControllerNames lists every controller name the facts know, sorted.
func ControllerNames() []string {
	out := make([]string, len(controllers))
	for i, c := range controllers {
		out[i] = c.name
	}
	slices.Sort(out)
	return out
}

// InterfaceFileNames lists every interface file name the facts know, both
// hierarchies, sorted and without duplicates.
func InterfaceFileNames() []string {
	var out []string
	for _, f := range append(slices.Clone(coreV2), coreV1...) {
		out = append(out, f.name)
	}
	for _, c := range controllers {
		for _, f := range append(slices.Clone(c.v2Files), c.v1Files...) {
			out = append(out, f.name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// kernelFacts are the facts filtered for one kernel and its missing files,
// computed once and shared by the trees of such nodes (factsFor).
type kernelFacts struct {
	v1Core, v2Core []fileFact
	v1, v2         map[string][]fileFact
	// sets are the file sets computed so far, by setKey (see fileSet).
	sets sync.Map
}

// shared are the kernel facts computed so far, by kernel and missing
// files, up to maxSharedFacts of them (then computed for each tree).
// CloseIdle (its owner: the cgroups model's Idle) empties it.
var shared struct {
	sync.Mutex
	facts map[string]*kernelFacts
}

const maxSharedFacts = 64

// factsFor returns the facts of the spec's kernel without its missing files.
func factsFor(s Spec) *kernelFacts {
	key := factsKey(s)
	shared.Lock()
	defer shared.Unlock()
	if kf := shared.facts[key]; kf != nil {
		return kf
	}
	kf := newKernelFacts(s)
	if shared.facts == nil {
		shared.facts = map[string]*kernelFacts{}
	}
	if len(shared.facts) < maxSharedFacts {
		shared.facts[key] = kf
	}
	return kf
}

// factsKey is what decides a kernel's facts: its version and the set of
// its missing files (newKernelFacts asks only whether a file is one), in
// no order and each once.
func factsKey(s Spec) string {
	missing := slices.Clone(s.MissingFiles)
	slices.Sort(missing)
	return s.Kernel.String() + "\x00" + strings.Join(slices.Compact(missing), "\x00")
}

// forgetFacts empties shared; trees made afterwards compute them again.
func forgetFacts() {
	shared.Lock()
	shared.facts = nil
	shared.Unlock()
}

func newKernelFacts(s Spec) *kernelFacts {
	keep := func(fs []fileFact) []fileFact {
		var out []fileFact
		for _, f := range fs {
			if has(s.Kernel, f.since) && !slices.Contains(s.MissingFiles, f.name) {
				out = append(out, f)
			}
		}
		return out
	}
	kf := &kernelFacts{v1Core: keep(coreV1), v2Core: keep(coreV2), v1: map[string][]fileFact{}, v2: map[string][]fileFact{}}
	for _, c := range controllers {
		kf.v1[c.name] = keep(c.v1Files)
		kf.v2[c.name] = keep(c.v2Files)
	}
	return kf
}

func (kf *kernelFacts) core(v2 bool) []fileFact {
	if v2 {
		return kf.v2Core
	}
	return kf.v1Core
}

func (kf *kernelFacts) controller(v2 bool, name string) []fileFact {
	if v2 {
		return kf.v2[name]
	}
	return kf.v1[name]
}
