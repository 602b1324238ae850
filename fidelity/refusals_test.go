package fidelity

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	cgroupsv3 "github.com/containerd/cgroups/v3"
	"golang.org/x/sys/unix"

	"github.com/faultsim/faultsim/probe"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
)

// refusal is one write or removal the kernel refuses, provoked in a cgroup
// of its own below the private subtree of one hierarchy.
type refusal struct {
	name string
	ctrl string // the hierarchy, by controller; "" is name=systemd
	file string // the file written; "" removes the cgroup
	// value is written; PID stands for the test's process, DEAD for a PID
	// no process has, CPUS for the number of CPUs (one past the last).
	value string
	// inside moves the test's process into the cgroup first.
	inside bool
	// setup are files written first (file, value).
	setup [][2]string
}

// refusalHierarchies are this machine's hierarchies (and the hybrid
// node's cgroup2, which has no controller).
var refusalHierarchies = []string{"", "cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "devices", "freezer", unified}

// refusals lists every refusal the simulated cgroupfs models that this
// machine can show (FIDELITY.md lists those it cannot).
func refusals() []refusal {
	var out []refusal
	for _, c := range refusalHierarchies {
		procs := "cgroup.procs"
		out = append(out,
			refusal{name: "missing file", ctrl: c, file: "faultsim.missing", value: "1"},
			refusal{name: "move of a PID no process has", ctrl: c, file: procs, value: "DEAD"},
			refusal{name: "move of a non-number", ctrl: c, file: procs, value: "x"},
			refusal{name: "rmdir with a process inside", ctrl: c, inside: true},
		)
		if c != unified {
			out = append(out, refusal{name: "thread move of a PID no thread has", ctrl: c, file: "tasks", value: "DEAD"})
		}
	}
	for _, r := range []refusal{
		{ctrl: "cpu", file: "cpu.stat", value: "1"},
		{ctrl: "cpuacct", file: "cpuacct.stat", value: "1"},
		{ctrl: "cpuset", file: "cpuset.effective_cpus", value: "0"},
		{ctrl: "memory", file: "memory.usage_in_bytes", value: "0"},
		{ctrl: "pids", file: "pids.current", value: "0"},
		{ctrl: "devices", file: "devices.list", value: "a"},
		{ctrl: "freezer", file: "freezer.self_freezing", value: "1"},
		{ctrl: unified, file: "cgroup.controllers", value: "+memory"},
		{ctrl: unified, file: "cgroup.stat", value: "1"},
		{ctrl: unified, file: "cgroup.events", value: "1"},
	} {
		r.name = "read-only file"
		out = append(out, r)
	}
	out = append(out, refusal{name: "move into a cpuset without CPUs", ctrl: "cpuset", file: "cgroup.procs", value: "PID"})
	for _, r := range []refusal{
		{ctrl: "pids", file: "pids.max", value: "-1"},
		{ctrl: "pids", file: "pids.max", value: "4194305"},
		{ctrl: "pids", file: "pids.max", value: "many"},
		{ctrl: "cpu", file: "cpu.cfs_quota_us", value: "999"},
		{ctrl: "cpu", file: "cpu.cfs_period_us", value: "999"},
		{ctrl: "cpu", file: "cpu.cfs_period_us", value: "1000001"},
		{ctrl: "cpu", file: "cpu.shares", value: "x"},
		{ctrl: "memory", file: "memory.limit_in_bytes", value: "-2"},
		{ctrl: "memory", file: "memory.swappiness", value: "201"}, // 0-200 since 5.8
		{ctrl: "cpuset", file: "cpuset.cpus", value: "CPUS"},
		{ctrl: "cpuset", file: "cpuset.cpus", value: "LAST"}, // online, not the parent's
		{ctrl: "cpuset", file: "cpuset.cpus", value: "0-x"},
		{ctrl: "freezer", file: "freezer.state", value: "MELTED"},
		{ctrl: unified, file: "cgroup.freeze", value: "2"},
		{ctrl: unified, file: "cgroup.kill", value: "2"},
		{ctrl: unified, file: "cgroup.kill", value: "x"},
		{ctrl: "memory", file: "memory.memsw.limit_in_bytes", value: "33554432", setup: [][2]string{{"memory.limit_in_bytes", "67108864"}}},
		{ctrl: unified, file: "cgroup.subtree_control", value: "+memory"},
		{ctrl: unified, file: "cgroup.subtree_control", value: "memory"},
	} {
		r.name = "out-of-range value"
		out = append(out, r)
	}
	return out
}

// TestCgroupsRefusalsMatchTheRealKernel provokes each refusal in a cgroup
// of its own below the private subtree of the hierarchy, on this machine
// and on the simulated tree of the nearest profile given this machine's
// kernel version and CPUs; the errno and the files afterwards (the file
// written, or the cgroup and its cgroup.procs) must be the same. The
// simulation refuses when its kernel settles the call (Settle), the real
// kernel at once: the errno compared is the simulated Refusal's and the
// real syscall's. Every case must be refused by the real kernel.
func TestCgroupsRefusalsMatchTheRealKernel(t *testing.T) {
	need(t)
	mode := cgroupsv3.Mode()
	if mode != cgroupsv3.Legacy && mode != cgroupsv3.Hybrid {
		t.Skipf("FIDELITY TEST NOT RUN: this machine's cgroups are in mode %d; the refusals test covers v1 and hybrid nodes only", mode)
	}
	node, err := probe.NewReader().Read()
	if err != nil {
		t.Fatalf("probe this machine: %v", err)
	}
	p, ok := node.Profile()
	if !ok {
		t.Fatalf("no cgroups profile near this machine (cgroup mode %q, kernel %s)", node.CgroupMode, node.Kernel)
	}
	kernel := regexp.MustCompile(`^\d+(\.\d+)*`).FindString(node.Kernel)
	if p.Kernel, err = sim.ParseVersion(kernel); err != nil {
		t.Fatalf("this machine's kernel %q: %v", node.Kernel, err)
	}
	allCPUs := readTrim(t, filepath.Join(realCgroupRoot, "cpuset", "cpuset.cpus"))
	cpus, err := cgroupfs.ParseList(allCPUs)
	if err != nil {
		t.Fatal(err)
	}
	p.CPUs, p.Mems = len(cpus), 1
	start := fmt.Sprintf("/%s%d", subtreePrefix, os.Getpid())
	real, pid := realSide(t, mode, start)
	fs, err := cgroupfs.New(cgroupfs.Spec{Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := fs.Close(); err != nil {
			t.Error(err)
		}
	}()
	if err := fs.StartProcess(pid, "sleep", "/"); err != nil {
		t.Fatal(err)
	}
	if err := fs.Mkdir(start, nil); err != nil {
		t.Fatal(err)
	}
	simPath := func(ctrl, rel string) string {
		if ctrl == unified {
			return filepath.Join(fs.UnifiedMountpoint(), rel)
		}
		return fs.Path(ctrl, rel)
	}
	// The subtree's cpuset gets the first CPU and memory node, so that its
	// cgroups can have CPUs (a v1 cpuset is a subset of its parent's).
	for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
		if err := os.WriteFile(filepath.Join(real.path("cpuset", start), f), []byte("0"), 0); err != nil {
			t.Fatal(err)
		}
		if err := fs.SetValue(start, "cpuset", f, "0"); err != nil {
			t.Fatal(err)
		}
	}
	dead := deadPID(t)
	cases := refusals()
	t.Logf("%d refusals; simulated node: %s; real node: kernel %s; a PID no process has: %d", len(cases), p, node.Kernel, dead)
	for i, r := range cases {
		rel := fmt.Sprintf("%s/case%d", start, i)
		what := fmt.Sprintf("%s:%s %s", label(r.ctrl), rel, r.name)
		if r.value == "LAST" && len(cpus) == 1 {
			t.Logf("%s: NOT RUN: this machine has one CPU, so no CPU is online and outside the subtree's", what)
			continue
		}
		value := strings.NewReplacer("PID", strconv.Itoa(pid), "DEAD", strconv.Itoa(dead), "CPUS", strconv.Itoa(len(cpus)),
			"LAST", strconv.Itoa(len(cpus)-1)).Replace(r.value)
		if r.file != "" {
			what += fmt.Sprintf(" (%q to %s)", value, r.file)
		}
		realDir, simDir := real.path(r.ctrl, rel), simPath(r.ctrl, rel)
		if realDir == "" || simDir == "" {
			t.Errorf("%s: the hierarchy is missing (real %q, simulated %q)", what, realDir, simDir)
			continue
		}
		// Set up: the cgroup, and the process in it.
		if err := os.Mkdir(realDir, 0o755); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		// The simulated cgroup is made as a runtime makes one (mkdir,
		// taken in when the kernel settles).
		if err := fs.Begin(); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(simDir, 0o755); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if refused, err := fs.Settle(); err != nil || len(refused) > 0 {
			t.Fatalf("%s: mkdir: %v %v", what, refused, err)
		}
		if r.inside || r.ctrl == "cpuset" && r.name != "move into a cpuset without CPUs" {
			// A v1 cpuset takes processes once it has CPUs and memory nodes.
			for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
				if r.ctrl != "cpuset" {
					break
				}
				if err := os.WriteFile(filepath.Join(realDir, f), []byte("0"), 0); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if err := fs.SetValue(rel, "cpuset", f, "0"); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
		}
		for _, kv := range r.setup {
			if err := os.WriteFile(filepath.Join(realDir, kv[0]), []byte(kv[1]), 0); err != nil {
				t.Fatalf("%s: set up %s: %v", what, kv[0], err)
			}
			if err := fs.SetValue(rel, r.ctrl, kv[0], kv[1]); err != nil {
				t.Fatalf("%s: set up %s: %v", what, kv[0], err)
			}
		}
		if r.inside {
			if err := os.WriteFile(filepath.Join(realDir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
				t.Fatalf("%s: move the process in: %v", what, err)
			}
			if err := fs.MoveProcess(pid, rel); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		// The refused call, on both (the simulated tree renders the node's
		// changes first).
		if err := fs.Flush(); err != nil {
			t.Fatal(err)
		}
		realBefore, simBefore := afterwards(realDir, r.file, pid), afterwards(simDir, r.file, pid)
		realErrno := errnoName(act(realDir, r.file, value, false))
		if err := fs.Begin(); err != nil {
			t.Fatal(err)
		}
		if err := act(simDir, r.file, value, true); err != nil {
			t.Fatalf("%s: the simulated tree (a plain directory) refused at once: %v", what, err)
		}
		refused, err := fs.Settle()
		if err != nil {
			t.Fatalf("%s: settle: %v", what, err)
		}
		simErrno := ""
		for _, rf := range refused {
			simErrno += rf.Errno
		}
		switch {
		case realErrno == "":
			t.Errorf("%s: the real kernel accepted it: the case provokes no refusal", what)
		case simErrno != realErrno:
			t.Errorf("%s: the real kernel refused with %s, the simulation with %q (%v)", what, realErrno, simErrno, refused)
		}
		// The files afterwards: as they were on each side, and the same
		// where the simulation materialises the file (it leaves out those
		// runtimes do not read, cgroupfs's documented limit).
		realAfter, simAfter := afterwards(realDir, r.file, pid), afterwards(simDir, r.file, pid)
		if realAfter != realBefore {
			t.Errorf("%s: the refusal changed the real cgroup: %s, was %s", what, realAfter, realBefore)
		}
		if simAfter != simBefore {
			t.Errorf("%s: the refusal changed the simulated cgroup: %s, was %s", what, simAfter, simBefore)
		}
		if realAfter != simAfter && !strings.HasSuffix(simAfter, " missing") {
			t.Errorf("%s: afterwards the real cgroup reads %s, the simulated one %s", what, realAfter, simAfter)
		}
		if r.inside { // out again, so the cleanup removes the cgroup at once
			if err := os.WriteFile(filepath.Join(real.path(r.ctrl, start), "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
				t.Fatalf("%s: move the process out: %v", what, err)
			}
		}
	}
}

// act writes value to file in dir (as a runtime does: create, truncate,
// write), or removes dir when file is "" (the simulated cgroup as the
// containerd/cgroups library removes one, recursively; the real one with
// rmdir, which is what that removal comes to on cgroupfs).
func act(dir, file, value string, simulated bool) error {
	if file != "" {
		return os.WriteFile(filepath.Join(dir, file), []byte(value), 0o644)
	}
	if simulated {
		return os.RemoveAll(dir)
	}
	return unix.Rmdir(dir)
}

// errnoName is the errno of a failed call ("" when it succeeded).
func errnoName(err error) string {
	if err == nil {
		return ""
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return "not an errno: " + err.Error()
	}
	return unix.ErrnoName(errno)
}

// afterwards renders what the refused call left: the file's content (or
// that it is missing), or whether the cgroup exists and its cgroup.procs,
// with the test's PID as PID.
func afterwards(dir, file string, pid int) string {
	if file == "" {
		if _, err := os.Stat(dir); err != nil {
			return "(no cgroup)"
		}
		file = "cgroup.procs"
	}
	b, err := os.ReadFile(filepath.Join(dir, file))
	switch {
	case errors.Is(err, os.ErrNotExist) && (file == "cgroup.procs" || file == "tasks"):
		b = nil // the simulation leaves an empty cgroup.procs or tasks out
	case errors.Is(err, os.ErrNotExist):
		return file + " missing"
	case err != nil:
		return file + " unreadable: " + err.Error()
	}
	return fmt.Sprintf("%s %q", file, strings.ReplaceAll(strings.TrimSpace(string(b)), strconv.Itoa(pid), "PID"))
}

// deadPID is a PID no process has: the highest free one below pid_max.
func deadPID(t *testing.T) int {
	t.Helper()
	max, err := strconv.Atoi(readTrim(t, "/proc/sys/kernel/pid_max"))
	if err != nil {
		t.Fatal(err)
	}
	for pid := max - 1; pid > 1; pid-- {
		if !processAlive(pid) {
			return pid
		}
	}
	t.Fatal("every PID is in use")
	return 0
}
