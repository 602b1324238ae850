package signals_test

import (
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/faultsim/faultsim/models/signals"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// TestCampaignsDrawTheKillAllPaths: the generator draws the node's kernel
// and cgroup mode, so generated runs reach each way crun's kill --all ends
// a container's processes (cgroup.kill; else a frozen sweep through
// cgroup.freeze or the v1 freezer), every drawn kernel has pidfd_open,
// and no drawn node runs a systemd that refuses its cgroup mode.
func TestCampaignsDrawTheKillAllPaths(t *testing.T) {
	seeds := uint64(6000)
	if testing.Short() {
		seeds = 2000
	}
	paths := map[string]int{"cgroup.kill of": 0, "frozen (cgroup.freeze)": 0, "frozen (freezer.state)": 0}
	modes := map[string]int{}
	for seed := uint64(1); seed <= seeds; seed++ {
		c := signals.Generate(sim.NewPRNG(seed), "reference")
		n, err := c.Node.Build()
		if err != nil {
			t.Fatalf("seed %d: drawn node %+v: %v", seed, c.Node, err)
		}
		if !n.Has(node.PidfdOpen) {
			t.Fatalf("seed %d: drawn kernel %s has no pidfd_open", seed, c.Node.Kernel)
		}
		if c.Node.Cgroup == "v1" || c.Node.Cgroup == "hybrid" {
			if c.Node.Systemd >= 256 {
				t.Fatalf("seed %d: systemd %d on cgroup %s, which it refuses", seed, c.Node.Systemd, c.Node.Cgroup)
			}
		}
		modes[c.Node.Cgroup]++
		if !slices.ContainsFunc(c.Containers, func(ct signals.Container) bool { return ct.HostPID }) {
			continue // CRI-O runs kill -a for a container in the node's pid namespace
		}
		r, err := c.Run(sim.NewPRNG(seed), true)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if len(r.Violations) > 0 {
			t.Fatalf("seed %d: the reference broke %s", seed, r.Violated())
		}
		text := r.Trace.Text()
		for p := range paths {
			if strings.Contains(text, p) {
				paths[p]++
			}
		}
	}
	t.Logf("cgroup modes drawn %v; kill -a paths taken %v", modes, paths)
	for p, n := range paths {
		if n == 0 {
			t.Errorf("no generated run of %d took kill -a's %q", seeds, p)
		}
	}
}

// v2OnlyFreeze is crun's kill --all written for cgroup v2 alone:
// cgroup.kill, else cgroup.freeze around the sweep; on a v1 or hybrid
// node, where the freezer is another file, it sweeps unfrozen.
type v2OnlyFreeze struct{}

func (v2OnlyFreeze) KillAll(t *sim.Task, env *signals.Env, cg *signals.Cgroup, sig syscall.Signal) error {
	t.Yield()
	if sig == syscall.SIGKILL && cg.Kill() == nil {
		return nil
	}
	frozen := env.Node.Cgroup == node.Unified && cg.Freeze() == nil
	t.Yield()
	sweepPIDs(t, env, cg, sig)
	if frozen {
		return cg.Thaw()
	}
	return nil
}

// TestCgroupModeBugIsFoundFromGeneratedSeeds: a kill --all that freezes
// only through cgroup v2's file passes on the distro's node, and generated
// runs catch it (container-tree-gone: a supervisor forks between the read
// of cgroup.procs and the kill) once the generator draws cgroup modes.
func TestCgroupModeBugIsFoundFromGeneratedSeeds(t *testing.T) {
	seeds := uint64(40000)
	if testing.Short() {
		seeds = 15000
	}
	remove, err := signals.Register("user-v2-only-freeze", "kill -a that freezes through cgroup.freeze only",
		signals.Impl{KillAll: v2OnlyFreeze{}, AskKillSignal: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	caught, onDistro := 0, 0
	for seed := uint64(1); seed <= seeds; seed++ {
		c := signals.Generate(sim.NewPRNG(seed), "user-v2-only-freeze")
		if !slices.ContainsFunc(c.Containers, func(ct signals.Container) bool { return ct.HostPID }) {
			continue // kill -a, the code under test, runs for host-pid containers only
		}
		r, err := c.Run(sim.NewPRNG(seed), false)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		switch r.Violated() {
		case "":
		case signals.InvTreeGone.Name:
			caught++
			t.Logf("seed %d: %+v", seed, c.Node)
			if c.Node.Cgroup == "" || c.Node.Cgroup == "v2" {
				onDistro++
			}
		default:
			t.Fatalf("seed %d: %s, want %s or a pass", seed, r.Violated(), signals.InvTreeGone.Name)
		}
	}
	t.Logf("caught on %d of %d generated seeds", caught, seeds)
	if caught == 0 || onDistro > 0 {
		t.Fatalf("caught on %d seeds, %d of them on cgroup v2: want some, all on v1 or hybrid", caught, onDistro)
	}
}
