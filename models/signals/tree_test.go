package signals_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/faultsim/faultsim/models/signals"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// treeScenario is a host-pid container whose process forwards its stop
// signal to its group: its first child handles it and exits just as crun's
// kill -a runs (the container's process exits at 2s, the stop loop sees it
// at 2.1s), the second, a daemon in a group of its own, would run on.
const treeScenario = `name: tree
model: signals
variant: %s
seed: %d
node: {cgroup: %s}
faults: [{fault: kernel-version, version: "%s"}]
containers:
  - {name: db, grace: 10s, cleanup: 1s, host_pid: true, forward_to_group: true, children: [{on_stop: handle, cleanup: 1s}, {on_stop: ignore, cleanup: 0s, own_group: true}]}
steps:
  - {at: 1s, op: stop-container, container: db, timeout: 10s}
expect: pass
`

// traceOf runs a scenario file's text and returns its outcome and trace.
func traceOf(t *testing.T, data []byte) (string, string) {
	t.Helper()
	s, err := scenarios.Parse("tree.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	o, err := scenarios.Run(s, true)
	if err != nil {
		t.Fatal(err)
	}
	got := "pass"
	if vs := o.Result.Violations; len(vs) > 0 {
		got = vs[0].Invariant
	}
	return got, o.Result.Trace.Text()
}

// TestKillAllPaths: crun's kill -a on each node: cgroup.kill (cgroup v2,
// 5.14), else a frozen sweep (cgroup.freeze on v2 from 5.2, the v1
// freezer), else an unfrozen one. Each leaves nothing of the container.
func TestKillAllPaths(t *testing.T) {
	for _, tt := range []struct {
		cgroup, kernel string
		want           []string
	}{
		{"v2", "6.1", []string{"cgroup.kill of kubepods-besteffort.slice/crio-db.scope: SIGKILL to"}},
		{"v2", "5.10", []string{"frozen (cgroup.freeze)", "crun       -> db-child-2: SIGKILL", "thawed (cgroup.freeze)"}},
		{"v2", "4.19", []string{"cannot freeze", "crun       -> db-child-2: SIGKILL"}},
		{"v1", "5.10", []string{"frozen (freezer.state)", "crun       -> db-child-2: SIGKILL", "thawed (freezer.state)"}},
		{"hybrid", "5.4", []string{"frozen (freezer.state)", "thawed (freezer.state)"}},
	} {
		t.Run(tt.cgroup+"-"+tt.kernel, func(t *testing.T) {
			for seed := 1; seed <= 3; seed++ {
				got, trace := traceOf(t, fmt.Appendf(nil, treeScenario, "reference", seed, tt.cgroup, tt.kernel))
				if got != "pass" {
					t.Fatalf("seed %d: %s, want pass:\n%s", seed, got, trace)
				}
				for _, w := range tt.want {
					if !strings.Contains(trace, w) {
						t.Errorf("seed %d: trace lacks %q:\n%s", seed, w, trace)
					}
				}
			}
		})
	}
}

// mainOnly is kill -a done as a plain kill: only the container's process,
// which is gone by the time CRI-O asks; groupOnly signals the process
// group the container's process led (kill(-pgid)), which a child that
// called setsid has left.
type (
	mainOnly  struct{}
	groupOnly struct{}
)

func (mainOnly) KillAll(t *sim.Task, env *signals.Env, cg *signals.Cgroup, sig syscall.Signal) error {
	t.Yield()
	if err := env.Procs.Kill("my-runtime", cg.Init(), sig); !errors.Is(err, proc.ErrNoSuchProcess) {
		return err
	}
	return nil
}

func (groupOnly) KillAll(t *sim.Task, env *signals.Env, cg *signals.Cgroup, sig syscall.Signal) error {
	t.Yield()
	if err := env.Procs.KillPID(nil, -cg.Init().PID, sig); !errors.Is(err, proc.ErrNoSuchProcess) {
		return err
	}
	return nil
}

// TestKillAllMistakes: a kill -a that misses part of the cgroup leaves a
// process the container forked; container-tree-gone reports it, on every
// node and seed. The reference passes the same seeds.
func TestKillAllMistakes(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 12
	}
	for _, tt := range []struct {
		name        string
		impl        signals.KillAll
		cgroup, krn string
	}{
		{"main-only", mainOnly{}, "v2", "6.1"},
		{"main-only-v1", mainOnly{}, "v1", "5.10"},
		{"group-only", groupOnly{}, "v2", "6.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			remove, err := signals.Register("user-"+tt.name, "a kill -a of one's own", signals.Impl{KillAll: tt.impl, AskKillSignal: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(remove)
			caught := 0
			for seed := 1; seed <= seeds; seed++ {
				if ref, trace := traceOf(t, fmt.Appendf(nil, treeScenario, "reference", seed, tt.cgroup, tt.krn)); ref != "pass" {
					t.Fatalf("seed %d: the reference broke %s:\n%s", seed, ref, trace)
				}
				got, _ := traceOf(t, fmt.Appendf(nil, treeScenario, "user-"+tt.name, seed, tt.cgroup, tt.krn))
				switch got {
				case signals.InvTreeGone.Name:
					caught++
				case "pass":
				default:
					t.Errorf("seed %d: %s, want %s or pass", seed, got, signals.InvTreeGone.Name)
				}
			}
			if caught != seeds {
				t.Errorf("%s caught on %d of %d seeds", signals.InvTreeGone.Name, caught, seeds)
			}
		})
	}
}

// Plugging in a kill --all of one's own: this one signals each process of
// the cgroup, unfrozen, and passes where the node has no cgroup.kill.
func ExampleKillAll() {
	remove, err := signals.Register("my-kill-all", "my runtime's kill --all", signals.Impl{KillAll: sweep{}, AskKillSignal: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer remove()
	s, err := scenarios.Parse("mine.yaml", fmt.Appendf(nil, treeScenario, "my-kill-all", 1, "v2", "5.10"))
	if err != nil {
		fmt.Println(err)
		return
	}
	o, err := scenarios.Run(s, false)
	fmt.Println(o.Got, err)
	// Output: pass <nil>
}

// sweep sends kill(2) to every process of the cgroup.
type sweep struct{}

func (sweep) KillAll(t *sim.Task, env *signals.Env, cg *signals.Cgroup, sig syscall.Signal) error {
	for _, p := range cg.Procs() {
		t.Yield()
		_ = env.Procs.Kill("my-runtime", p, sig)
	}
	return nil
}

// respawnScenario: two supervisors in a host-pid container, each
// restarting a worker every second; the container's process exits at 2s,
// as the workers do.
const respawnScenario = `name: respawn
model: signals
variant: %s
seed: %d
faults: [{fault: kernel-version, version: "%s"}]
containers:
  - {name: db, grace: 10s, cleanup: 1s, host_pid: true, children: [{on_stop: ignore, cleanup: 0s, respawn: 1s}, {on_stop: ignore, cleanup: 0s, respawn: 1s}]}
steps:
  - {at: 1s, op: stop-container, container: db, timeout: 10s}
expect: pass
`

// noFreeze is crun's fallback without the freeze: read cgroup.procs, then
// kill(2) to each pid.
type noFreeze struct{}

func (noFreeze) KillAll(t *sim.Task, env *signals.Env, cg *signals.Cgroup, sig syscall.Signal) error {
	t.Yield()
	sweepPIDs(t, env, cg, sig)
	return nil
}

// sweepPIDs reads the cgroup's pids, then sends sig to each by kill(2),
// yielding before each call.
func sweepPIDs(t *sim.Task, env *signals.Env, cg *signals.Cgroup, sig syscall.Signal) {
	var pids []int
	for _, p := range cg.Procs() {
		pids = append(pids, p.PID)
	}
	for _, pid := range pids {
		t.Yield()
		_ = env.Procs.Kill("my-runtime", env.Procs.Root().Lookup(pid), sig)
	}
}

// TestFreezeStopsForks: a supervisor that forks a worker between the
// runtime's read of cgroup.procs and its kill(2) of the supervisor leaves
// that worker running, an interleaving some seeds draw; the reference
// freezes the cgroup first and passes every seed, also without
// cgroup.kill (5.10).
func TestFreezeStopsForks(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 100
	}
	remove, err := signals.Register("user-no-freeze", "kill -a without the freeze", signals.Impl{KillAll: noFreeze{}, AskKillSignal: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	caught := 0
	for seed := 1; seed <= seeds; seed++ {
		for _, kernel := range []string{"6.1", "5.10"} {
			if got, trace := traceOf(t, fmt.Appendf(nil, respawnScenario, "reference", seed, kernel)); got != "pass" {
				t.Fatalf("seed %d, kernel %s: the reference broke %s:\n%s", seed, kernel, got, trace)
			}
		}
		switch got, trace := traceOf(t, fmt.Appendf(nil, respawnScenario, "user-no-freeze", seed, "5.10")); got {
		case signals.InvTreeGone.Name:
			caught++
		case "pass":
		default:
			t.Errorf("seed %d: %s, want %s or pass:\n%s", seed, got, signals.InvTreeGone.Name, trace)
		}
	}
	t.Logf("caught on %d of %d seeds", caught, seeds)
	if caught == 0 {
		t.Errorf("no seed of %d had a worker escape the unfrozen sweep", seeds)
	}
}

// TestGeneratedTreesRoundTrip: every drawn case with a process tree is
// written as a scenario file that parses back to the same file and run.
func TestGeneratedTreesRoundTrip(t *testing.T) {
	seeds := uint64(2000)
	if testing.Short() {
		seeds = 300
	}
	trees := 0
	for seed := uint64(1); seed <= seeds; seed++ {
		c := signals.Generate(sim.NewPRNG(seed), "reference")
		if !slices.ContainsFunc(c.Containers, func(ct signals.Container) bool { return ct.HostPID || len(ct.Children) > 0 }) {
			continue
		}
		trees++
		s := &scenarios.Scenario{Name: "tree", Model: "signals", Variant: "reference", Seed: seed, Case: c}
		text := scenarios.Format(s)
		back, err := scenarios.Parse("tree.yaml", text)
		if err != nil {
			t.Fatalf("seed %d: the written file does not parse: %v\n%s", seed, err, text)
		}
		if again := scenarios.Format(back); string(again) != string(text) {
			t.Fatalf("seed %d: the round trip changed the file:\n%s\n---\n%s", seed, text, again)
		}
		a, _ := scenarios.Run(s, true)
		b, _ := scenarios.Run(back, true)
		if a.Result.Trace.Hash() != b.Result.Trace.Hash() {
			t.Fatalf("seed %d: the round trip changed the run", seed)
		}
	}
	if trees == 0 {
		t.Fatal("no drawn case had a process tree")
	}
}
