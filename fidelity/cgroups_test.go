package fidelity

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cgroupsv3 "github.com/containerd/cgroups/v3"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/faultsim/faultsim/models/cgroups"
	"github.com/faultsim/faultsim/probe"
	"github.com/faultsim/faultsim/sim/cgroupfs"
)

// realCgroupRoot is the real node's cgroupfs mountpoint.
const realCgroupRoot = "/sys/fs/cgroup"

// cgroupStep is one reference controller call of the differential scenario.
type cgroupStep struct {
	what string
	res  specs.LinuxResources
}

func i64(v int64) *int64   { return &v }
func u64(v uint64) *uint64 { return &v }
func cpu(shares uint64, quota int64, period uint64, cpus string) *specs.LinuxCPU {
	return &specs.LinuxCPU{Shares: u64(shares), Quota: i64(quota), Period: u64(period), Cpus: cpus, Mems: "0"}
}

// cgroupsScenario creates a sandbox with every limit the model applies,
// then updates them: a memory limit that is not a multiple of the page
// size (the kernel rounds it down), shares above the kernel's maximum
// (clamped), a cpuset narrowed and then dropped (the reference falls back
// to the parent's effective CPUs), the limits lifted (-1: unlimited).
func cgroupsScenario(allCPUs string) []cgroupStep {
	return []cgroupStep{
		{what: "create", res: specs.LinuxResources{CPU: cpu(512, 50000, 100000, "0"),
			Memory: &specs.LinuxMemory{Limit: i64(256<<20 + 1000)}, Pids: &specs.LinuxPids{Limit: i64(64)}}},
		{what: "update", res: specs.LinuxResources{CPU: cpu(1<<20, 200000, 50000, allCPUs),
			Memory: &specs.LinuxMemory{Limit: i64(128 << 20)}, Pids: &specs.LinuxPids{Limit: i64(128)}}},
		{what: "update", res: specs.LinuxResources{CPU: cpu(2, -1, 1000000, ""),
			Memory: &specs.LinuxMemory{Limit: i64(-1)}, Pids: &specs.LinuxPids{Limit: i64(7)}}},
	}
}

// comparedFiles are the limit files compared after every call, by the
// controller whose hierarchy holds them.
var comparedFiles = []struct{ ctrl, file string }{
	{"cpu", "cpu.shares"}, {"cpu", "cpu.cfs_quota_us"}, {"cpu", "cpu.cfs_period_us"},
	{"memory", "memory.limit_in_bytes"}, {"pids", "pids.max"},
	{"cpuset", "cpuset.cpus"}, {"cpuset", "cpuset.mems"},
}

// membershipHierarchies are the hierarchies (by controller; "" is
// name=systemd, "unified" the hybrid node's cgroup2) whose cgroup.procs
// are compared: those both this machine and the simulated hybrid node
// mount.
var membershipHierarchies = []string{"", "cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "devices", "freezer", unified}

// unified names the hybrid node's controller-less cgroup2 hierarchy.
const unified = "unified"

// TestCgroupsReferenceMatchesRealCgroupfs runs the reference sandbox
// controller (cgroupfs driver, sandbox_cgroup_only) through the real
// containerd/cgroups library twice: against a private subtree of this
// machine's cgroupfs, with a real sleep process as the shim, and against
// the simulated tree of the nearest kernel profile; after every call the
// sandbox's limit files and every hierarchy's cgroup.procs must read the
// same, and after the delete the sandbox must be gone from both with the
// process back in the start cgroup.
func TestCgroupsReferenceMatchesRealCgroupfs(t *testing.T) {
	need(t)
	mode := cgroupsv3.Mode()
	if mode != cgroupsv3.Legacy && mode != cgroupsv3.Hybrid {
		t.Skipf("FIDELITY TEST NOT RUN: this machine's cgroups are in mode %d; the cgroups differential test covers v1 and hybrid nodes only", mode)
	}
	node, err := probe.NewReader().Read()
	if err != nil {
		t.Fatalf("probe this machine: %v", err)
	}
	p, ok := node.Profile()
	if !ok {
		t.Fatalf("no cgroups profile near this machine (cgroup mode %q, kernel %s)", node.CgroupMode, node.Kernel)
	}
	allCPUs := readTrim(t, filepath.Join(realCgroupRoot, "cpuset", "cpuset.cpus"))
	allMems := readTrim(t, filepath.Join(realCgroupRoot, "cpuset", "cpuset.mems"))
	cpus, err := cgroupfs.ParseList(allCPUs)
	if err != nil {
		t.Fatal(err)
	}
	mems, err := cgroupfs.ParseList(allMems)
	if err != nil {
		t.Fatal(err)
	}
	if cpus[0] != 0 || cpus[len(cpus)-1] != len(cpus)-1 || mems[0] != 0 {
		t.Skipf("FIDELITY TEST NOT RUN: this machine's CPUs %s or memory nodes %s do not start at 0 as the simulated node's do", allCPUs, allMems)
	}
	// The simulated node has this machine's CPUs and memory nodes.
	p.CPUs, p.Mems = len(cpus), len(mems)
	t.Logf("simulated node: %s; real node: kernel %s, cgroup %s", p, node.Kernel, node.CgroupMode)

	start := fmt.Sprintf("/%s%d", subtreePrefix, os.Getpid())
	sandboxPath := cgroups.RenameCgroupPath(filepath.Join(start, "sandbox"))

	real, pid := realSide(t, mode, start)
	sim := simSide(t, p, start, pid)
	// Each side gets its own resources: the controller may fill them in
	// (a dropped cpuset becomes the parent's CPUs).
	want := sim.run(t, cgroupsScenario(allCPUs), sandboxPath, start, pid)
	got := real.run(t, cgroupsScenario(allCPUs), sandboxPath, start, pid)
	what := []string{"create", "update 1", "update 2", "delete (sandbox)", "delete (start cgroup)"}
	for i := range want {
		t.Logf("after %s, the real cgroupfs reads:\n%s", what[i], formatSnapshot(got[i]))
		if d := diffSnapshots(got[i], want[i]); d != "" {
			t.Errorf("after %s, the real cgroupfs and the simulated %s differ (real vs simulated):\n%s", what[i], p.Name, d)
		}
	}
}

func readTrim(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// formatSnapshot renders a snapshot one sorted line per file.
func formatSnapshot(snap map[string]string) string {
	var lines []string
	for k, v := range snap {
		lines = append(lines, fmt.Sprintf("  %s: %q", k, v))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// diffSnapshots lists the keys whose values differ, sorted.
func diffSnapshots(real, sim map[string]string) string {
	var keys []string
	for k := range real {
		keys = append(keys, k)
	}
	for k := range sim {
		if _, ok := real[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		if real[k] != sim[k] {
			fmt.Fprintf(&b, "  %s: %q vs %q\n", k, real[k], sim[k])
		}
	}
	return b.String()
}
