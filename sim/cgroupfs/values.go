package cgroupfs

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/faultsim/faultsim/sim"
)

// refusal is a write the kernel refuses, with the errno it returns.
type refusal struct {
	errno string
	msg   string
}

// Error renders the refusal as errno: reason.
func (r *refusal) Error() string { return r.errno + ": " + r.msg }

func refuse(errno, format string, args ...any) error {
	return &refusal{errno: errno, msg: fmt.Sprintf(format, args...)}
}

// noStore lists files whose writes are events, not settings: accepted,
// not kept (memory.reclaim reclaims, reset_stats resets, ...).
var noStore = []string{"memory.reclaim", "memory.max_usage_in_bytes", "memory.failcnt", "memory.oom_control",
	"blkio.reset_stats", "devices.allow", "devices.deny", "cpuacct.usage", "memory.peak"}

// applyWrite applies one write the runtime made to an interface file, as
// the kernel would, or returns the refusal the kernel would have made.
func (fs *FS) applyWrite(h *hierarchy, cg *cgroup, file, raw string) error {
	v := strings.TrimSpace(raw)
	switch file {
	case "cgroup.subtree_control":
		return fs.writeSubtree(h, cg, v)
	case "cgroup.procs", "cgroup.threads", "tasks":
		return fs.writeProcs(h, cg, file, v)
	case "cgroup.kill":
		n, err := strconv.ParseInt(v, 0, 32)
		if err != nil {
			return refuse("EINVAL", "cgroup.kill takes 1, got %q", v)
		}
		if n != 1 {
			return refuse("ERANGE", "cgroup.kill takes 1, got %q", v)
		}
		var killed []int // the processes of the tasks in or below it
		for _, tid := range fs.tasksIn(h, cg.rel, true, false) {
			if t := fs.task(tid); t != nil && !slices.Contains(killed, t.tgid) {
				killed = append(killed, t.tgid)
			}
		}
		fs.endProcesses(func(tgid int) bool { return slices.Contains(killed, tgid) })
		return nil
	}
	if slices.Contains(noStore, file) {
		return nil
	}
	canon, err := fs.canonical(h, cg, file, v)
	if err != nil {
		return err
	}
	h.setValue(cg, file, canon)
	return nil
}

// setValue stores a canonical value of the cgroup's file and marks what
// shows it stale: the cgroup, and those below for a value seen there.
func (h *hierarchy) setValue(cg *cgroup, file, canon string) {
	cg.values[file] = canon
	h.stale(cg.rel, seenBelow(file))
}

// seenBelow reports whether a value written to file shows in the
// cgroups below too: only a cpuset's lists do (their effective lists,
// which a cgroup without its own inherits); every other value is the
// cgroup's alone.
func seenBelow(file string) bool { return file == "cpuset.cpus" || file == "cpuset.mems" }

// writeSubtree applies "+ctrl -ctrl" to cgroup.subtree_control: all or nothing.
func (fs *FS) writeSubtree(h *hierarchy, cg *cgroup, v string) error {
	avail := fs.enabled(h, cg)
	next := slices.Clone(cg.subtree)
	for _, tok := range strings.Fields(v) {
		if len(tok) < 2 || (tok[0] != '+' && tok[0] != '-') {
			return refuse("EINVAL", "subtree_control token %q: expected +controller or -controller", tok)
		}
		name := tok[1:]
		if !slices.Contains(avail, name) || !v2Visible(name) {
			return refuse("ENOENT", "controller %s is not available in %s (cgroup.controllers: %s)", name, cg.rel, strings.Join(visible(avail), " "))
		}
		if tok[0] == '+' {
			if cg.rel != "/" && len(fs.tasksIn(h, cg.rel, false, false)) > 0 && !slices.Contains(next, name) {
				return refuse("EBUSY", "%s has processes: a non-root cgroup cannot enable controllers for its children (no internal processes)", cg.rel)
			}
			if !slices.Contains(next, name) {
				next = append(next, name)
			}
			continue
		}
		for _, ch := range h.children(cg.rel) {
			if slices.Contains(ch.subtree, name) {
				return refuse("EBUSY", "%s: child %s still enables %s", cg.rel, ch.rel, name)
			}
		}
		next = slices.DeleteFunc(next, func(c string) bool { return c == name })
	}
	cg.subtree = next
	h.stale(cg.rel, true)
	return nil
}

// writeProcs moves a process (cgroup.procs) or a thread (tasks, cgroup.threads).
func (fs *FS) writeProcs(h *hierarchy, cg *cgroup, file, v string) error {
	id, err := strconv.Atoi(v)
	if err != nil || id <= 0 {
		return refuse("EINVAL", "%s takes a PID, got %q", file, v)
	}
	if fs.task(id) == nil {
		return refuse("ESRCH", "no such process %d", id)
	}
	if h.v2 && cg.rel != "/" && len(cg.subtree) > 0 {
		return refuse("EBUSY", "%s enables controllers for its children: it cannot hold processes (no internal processes)", cg.rel)
	}
	// A v1 cpuset without CPUs or memory nodes takes no task
	// (cpuset_can_attach). Only a cgroup the runtime made can lack them:
	// the node's own (kubelet's, a service's) stand for cgroups their
	// makers filled, whose values the simulation does not track.
	if !h.v2 && cg.runtime && slices.Contains(h.ctrls, "cpuset") && (cg.values["cpuset.cpus"] == "" || cg.values["cpuset.mems"] == "") {
		return refuse("ENOSPC", "%s has no CPUs or memory nodes (cpuset.cpus %q, cpuset.mems %q)", cg.rel, cg.values["cpuset.cpus"], cg.values["cpuset.mems"])
	}
	fs.moveTasks(h, cg.rel, id, file == "cgroup.procs")
	return nil
}

// canonical checks a written value and returns what the file then reads.
func (fs *FS) canonical(h *hierarchy, cg *cgroup, file, v string) (string, error) {
	switch file {
	case "cpu.weight":
		return intIn(file, v, 1, 10000)
	case "cpu.weight.nice":
		return intIn(file, v, -20, 19)
	case "cpu.max":
		return fs.cpuMax(cg, v)
	case "memory.min", "memory.low", "memory.high", "memory.max", "memory.swap.max", "memory.swap.high", "memory.zswap.max":
		return bytesOrMax(file, v)
	case "pids.max":
		if v == "max" {
			return v, nil
		}
		return intIn(file, v, 0, 4194304)
	case "cpuset.cpus", "cpuset.mems":
		return fs.cpuset(h, cg, file, v)
	case "cpu.shares":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "", refuse("EINVAL", "%s: %q is not a number", file, v)
		}
		return strconv.FormatInt(min(max(n, 2), 262144), 10), nil
	case "cpu.cfs_quota_us":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || (n != -1 && n < 1000) {
			return "", refuse("EINVAL", "%s: %q: expected -1 or at least 1000 (1ms)", file, v)
		}
		return strconv.FormatInt(n, 10), nil
	case "cpu.cfs_period_us":
		return intIn(file, v, 1000, 1000000)
	case "memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes":
		return fs.v1Memory(cg, file, v)
	case "memory.swappiness":
		// Up to 200 since 5.8 ("mm: allow swappiness that prefers
		// reclaiming anon over the file workingset", c843966c556d).
		if fs.spec.Profile.Kernel.AtLeast(swappiness200) {
			return intIn(file, v, 0, 200)
		}
		return intIn(file, v, 0, 100)
	case "freezer.state":
		if v != "FROZEN" && v != "THAWED" {
			return "", refuse("EINVAL", "freezer.state takes FROZEN or THAWED, got %q", v)
		}
		return v, nil
	case "cgroup.freeze":
		n, err := strconv.ParseInt(v, 0, 32)
		if err != nil {
			return "", refuse("EINVAL", "cgroup.freeze: %q is not a number", v)
		}
		if n < 0 || n > 1 {
			return "", refuse("ERANGE", "cgroup.freeze: %q: expected 0 or 1", v)
		}
		return strconv.FormatInt(n, 10), nil
	}
	return v, nil
}

// swappiness200 is the kernel from which memory.swappiness takes 0-200.
var swappiness200 = sim.MustVersion("5.8")

func intIn(file, v string, lo, hi int64) (string, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return "", refuse("EINVAL", "%s: %q: expected a number from %d to %d", file, v, lo, hi)
	}
	return strconv.FormatInt(n, 10), nil
}

// bytesOrMax reads "max" or a byte count, rounded down to whole pages.
func bytesOrMax(file, v string) (string, error) {
	if v == "max" {
		return v, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return "", refuse("EINVAL", "%s: %q: expected max or a number of bytes", file, v)
	}
	return strconv.FormatUint(n/pageSize*pageSize, 10), nil
}

// cpuMax reads "$MAX [$PERIOD]"; a missing period keeps the current one.
func (fs *FS) cpuMax(cg *cgroup, v string) (string, error) {
	parts := strings.Fields(v)
	if len(parts) == 0 || len(parts) > 2 {
		return "", refuse("EINVAL", "cpu.max: %q: expected \"$MAX $PERIOD\"", v)
	}
	period := "100000"
	if cur := strings.Fields(cg.values["cpu.max"]); len(cur) == 2 {
		period = cur[1]
	}
	if len(parts) == 2 {
		p, err := intIn("cpu.max period", parts[1], 1000, 1000000)
		if err != nil {
			return "", err
		}
		period = p
	}
	if parts[0] != "max" {
		if _, err := intIn("cpu.max quota", parts[0], 1000, 1<<44); err != nil {
			return "", err
		}
	}
	return parts[0] + " " + period, nil
}

func (fs *FS) v1Memory(cg *cgroup, file, v string) (string, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < -1 {
		return "", refuse("EINVAL", "%s: %q: expected -1 or a number of bytes", file, v)
	}
	out := v1Unlimited
	if n >= 0 {
		out = strconv.FormatInt(n/pageSize*pageSize, 10)
	}
	if file == "memory.memsw.limit_in_bytes" {
		if lim := cg.values["memory.limit_in_bytes"]; lim != "" && parseOr(lim) > parseOr(out) {
			return "", refuse("EINVAL", "memory.memsw.limit_in_bytes %s is below memory.limit_in_bytes %s", out, lim)
		}
	}
	return out, nil
}

func parseOr(s string) uint64 { n, _ := strconv.ParseUint(s, 10, 64); return n }

// cpuset checks a CPU or memory node list: every member must be online
// (and, on v1, in the parent's effective set); it reads back canonical.
func (fs *FS) cpuset(h *hierarchy, cg *cgroup, file, v string) (string, error) {
	n := fs.spec.CPUs
	eff := "cpuset.cpus"
	if file == "cpuset.mems" {
		n = fs.spec.Mems
	}
	set, err := ParseList(v)
	if err != nil {
		return "", refuse("EINVAL", "%s: %v", file, err)
	}
	var allowed []int
	if !h.v2 && cg.rel != "/" {
		p := h.cgs[parentRel(cg.rel)]
		all := cpuList(n)
		if p != nil {
			all = fs.effective(h, p, eff, cpuList(n))
			if file == "cpuset.mems" {
				all = fs.effective(h, p, file, cpuList(n))
			}
		}
		allowed, _ = ParseList(all)
	}
	for _, c := range set {
		// Past the last CPU the list does not parse (bitmap_parselist's
		// ERANGE); on v1 a CPU outside the parent's set is refused by
		// cpuset's subset rule (validate_change's EACCES).
		if c >= n {
			return "", refuse("ERANGE", "%s: %d is past the last CPU (online: %s)", file, c, cpuList(n))
		}
		if allowed != nil && !slices.Contains(allowed, c) {
			return "", refuse("EACCES", "%s: %d is not in the parent's set (%s)", file, c, FormatList(allowed))
		}
	}
	return FormatList(set), nil
}

// MaxCPU is the largest CPU or memory node number a list may hold: Linux
// supports at most 8192 CPUs (NR_CPUS, CONFIG_NR_CPUS_RANGE_END with
// MAXSMP), so a larger number is a typo or an attack, never a CPU.
const MaxCPU = 8191

// ParseList reads a kernel list such as "0-2,5" into sorted members. It
// refuses numbers above MaxCPU and runs in time linear in the input (plus
// the at most MaxCPU+1 members it returns), whatever ranges it holds.
func ParseList(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var spans [][2]int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := listNumber(s, lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = listNumber(s, hi); err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("%q: range %s is reversed: expected a CPU list such as 0-2,5", s, part)
			}
		}
		spans = append(spans, [2]int{a, b})
	}
	slices.SortFunc(spans, func(x, y [2]int) int { return x[0] - y[0] })
	var out []int
	next := 0 // the lowest number not yet in out
	for _, sp := range spans {
		for i := max(sp[0], next); i <= sp[1]; i++ {
			out = append(out, i)
		}
		next = max(next, sp[1]+1)
	}
	return out, nil
}

// listNumber reads one CPU number of list: decimal digits, at most MaxCPU.
func listNumber(list, s string) (int, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q: expected a CPU list such as 0-2,5", list)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > MaxCPU {
		return 0, fmt.Errorf("%q: %s is above %d, the largest CPU number Linux allows", list, s, MaxCPU)
	}
	return int(n), nil
}

// FormatList renders sorted members as the kernel does ("0-2,5").
func FormatList(set []int) string {
	var parts []string
	for i := 0; i < len(set); {
		j := i
		for j+1 < len(set) && set[j+1] == set[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, strconv.Itoa(set[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", set[i], set[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}
