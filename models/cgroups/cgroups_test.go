package cgroups

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/internal/rapidtb"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
	"github.com/faultsim/faultsim/sim/node"
)

func TestMain(m *testing.M) {
	// Failures observed on purpose must not leave rapid fail files behind.
	_ = flag.Set("rapid.nofailfile", "true")
	// Every case runs on a real directory tree: under -race on a busy
	// machine shrinking needs more than rapid's default 30s to finish.
	_ = flag.Set("rapid.shrinktime", "10m")
	goleak.VerifyTestMain(models.Releasing(m))
}

var incidentResources = Resources{Shares: 1024, Quota: 100000, Cpus: "0-1", Memory: 256 << 20, Pids: 1024}

func TestReferencePassesTheProperty(t *testing.T) {
	Conformance(t, NewReference)
}

// TestPropertyFindsKata3120AndShrinks runs the unchanged property against
// kata-3.12.0 under fixed rapid seeds, observes that it fails, and checks
// that rapid's case is minimal: small, starting with a sandbox, and with no
// one-change simplification that still breaks an invariant. Which defect
// a seed's search meets first varies (the incident's missing limits, or a
// v1 node's missing controller accepted), so the test names none.
func TestPropertyFindsKata3120AndShrinks(t *testing.T) {
	rapidtb.ForEachSeed(t, func(t *testing.T, seed uint64) {
		var last *Case
		var lastResult sim.Result
		obs := &rapidtb.Observer{}
		rapid.Check(obs, Property(NewKata3120, GenOptions{}, func(c *Case, r sim.Result) { last, lastResult = c, r }))
		if !obs.Failed() || last == nil {
			t.Fatal("the property did not fail for kata-3.12.0")
		}
		t.Logf("minimal case (%s):\n%s", lastResult.Violations[0], Describe(last))
		if len(last.Steps) > 2 || last.Size() > 5 {
			t.Fatalf("shrunk case is not small (size %d):\n%s", last.Size(), Describe(last))
		}
		if last.Steps[0].Op != OpRun {
			t.Fatalf("minimal case does not start a sandbox:\n%s", Describe(last))
		}
		for _, cand := range last.Simplify() {
			r, err := Run(cand.(*Case), NewKata3120, sim.NewPRNG(seed), false)
			if err != nil {
				t.Fatal(err)
			}
			if r.Violated() != "" {
				t.Errorf("shrunk case is not minimal: this simplification still breaks %s:\n%s", r.Violated(), Describe(cand.(*Case)))
			}
		}
	})
}

// shrink minimises a failing case while it still breaks target under the
// seed, as shrink.Violation does.
func shrink(c *Case, seed uint64, target string) *Case {
	best := c
	for progress := true; progress; {
		progress = false
		for _, cand := range best.Simplify() {
			r, err := cand.Run(sim.NewPRNG(seed), false)
			if err == nil && r.Has(target) {
				best, progress = cand.(*Case), true
				break
			}
		}
	}
	return best
}

func mode(t *testing.T, c *Case) cgroupfs.Mode {
	t.Helper()
	n, err := nodeSpec(c)
	if err != nil {
		t.Fatal(err)
	}
	return n.FS.Mode
}

// TestIncident3IsFoundOnBothNodes draws cases as a campaign does, with the
// unchanged generator, until kata-3.12.0 has crashed on a v1 node and run
// a sandbox without its limits on a v2 node; each shrinks to one sandbox
// with the systemd driver and sandbox_cgroup_only, the incident's shape.
func TestIncident3IsFoundOnBothNodes(t *testing.T) {
	found := map[string]*Case{}
	for seed := uint64(0); seed < 400 && len(found) < 2; seed++ {
		c := Generate(sim.NewPRNG(seed), "kata-3.12.0", GenOptions{})
		r, err := c.Run(sim.NewPRNG(seed), false)
		if err != nil {
			t.Fatal(err)
		}
		key := ""
		switch {
		case r.Violated() == sim.CrashInvariant.Name && mode(t, c) != cgroupfs.Unified:
			key = "crash"
		case r.Violated() == InvLimits.Name && mode(t, c) == cgroupfs.Unified:
			key = InvLimits.Name
		}
		if key == "" || found[key] != nil {
			continue
		}
		min := shrink(c, seed, key)
		found[key] = min
		t.Logf("%s found at seed %d, shrunk to:\n%s", key, seed, Describe(min))
		if len(min.Steps) != 1 || min.Config.Driver != DriverSystemd || !min.Config.SandboxCgroupOnly {
			t.Errorf("%s does not shrink to one sandbox with systemd and sandbox_cgroup_only:\n%s", key, Describe(min))
		}
	}
	if len(found) != 2 {
		t.Fatalf("found only %v in 400 cases: want the v1 crash and the v2 missing limits", keys(found))
	}
}

func keys(m map[string]*Case) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestScenarios(t *testing.T) {
	run := func(at time.Duration, id string) Step {
		return Step{At: at, Op: OpRun, Sandbox: id, Resources: incidentResources}
	}
	stop := func(at time.Duration, id string) Step { return Step{At: at, Op: OpStop, Sandbox: id} }
	systemdOnly := Config{Driver: DriverSystemd, SandboxCgroupOnly: true, Hypervisor: Firecracker}
	cgroupfsOnly := Config{Driver: DriverCgroupfs, SandboxCgroupOnly: true, Hypervisor: QEMU}
	life := []Step{run(0, "pod1"), {At: time.Second, Op: OpAdd, Sandbox: "pod1", Container: "c1", Resources: Resources{Cpus: "3"}},
		{At: 2 * time.Second, Op: OpRemove, Sandbox: "pod1", Container: "c1"}, stop(5*time.Second, "pod1")}
	tests := []struct {
		name, profile, variant string
		cfg                    Config
		faults                 []faults.Fault
		steps                  []Step
		want                   string
	}{
		{"incident 3 on AL2", "al2-like", "kata-3.12.0", systemdOnly, nil, life, "crash"},
		{"incident 3 on AL2023", "al2023-like", "kata-3.12.0", systemdOnly, nil, life, InvLimits.Name},
		{"v1 with a newer systemd: Load works, Update never comes", "legacy4.19-like", "kata-3.12.0", systemdOnly, nil, life, InvLimits.Name},
		{"workaround: cgroupfs driver", "al2-like", "kata-3.12.0", cgroupfsOnly, nil, life, ""},
		{"reference on AL2", "al2-like", "reference", systemdOnly, nil, life, ""},
		{"reference on AL2023", "al2023-like", "reference", systemdOnly, nil, life, ""},
		{"reference on hybrid", "ubuntu20.04-like", "reference", systemdOnly, nil, life, ""},
		{"reference with an overhead cgroup", "al2023-like", "reference", Config{Driver: DriverSystemd, Hypervisor: QEMU}, nil, life, ""},
		{"kata on v2 cannot move its shim into the pod cgroup (#13264)", "al2023-like", "kata-3.12.0", cgroupfsOnly, nil, life, InvDelete.Name},
		{"reference refuses a node without memory, naming it", "al2023-like", "reference", cgroupfsOnly,
			[]faults.Fault{ControllerMissing{Controller: "memory"}}, life, ""},
		{"kata on v1 runs without the missing memory controller", "al2-like", "kata-3.12.0", cgroupfsOnly,
			[]faults.Fault{ControllerMissing{Controller: "memory"}}, life, InvRefused.Name},
		{"reference refuses a missing cpu.max", "al2023-like", "reference", cgroupfsOnly,
			[]faults.Fault{FileMissing{File: "cpu.max"}}, life, ""},
		{"reference refuses when systemd's bus is down", "al2023-like", "reference", systemdOnly,
			[]faults.Fault{BusDown{}}, life, ""},
		{"kata with systemd's bus down on v2: no scope, no limits", "al2023-like", "kata-3.12.0", systemdOnly,
			[]faults.Fault{BusDown{}}, life, InvRefused.Name},
		{"reference enables what systemd did not", "al2023-like", "reference", systemdOnly,
			[]faults.Fault{ControllerNotEnabled{Controller: "memory"}}, life, ""},
		{"reference resets a stale cgroup's limits", "al2023-like", "reference", cgroupfsOnly,
			[]faults.Fault{CgroupExists{Sandbox: "pod1"}}, life, ""},
		{"reference retries delete until a slow hypervisor is gone", "al2-like", "reference", cgroupfsOnly,
			[]faults.Fault{HypervisorExitSlow{Sandbox: "pod1", For: 3 * time.Second}}, life, ""},
		{"4.19 on cgroup2 has no cpuset: refused by name", "al2023-like", "reference", cgroupfsOnly,
			[]faults.Fault{faults.KernelVersion{Version: sim.MustVersion("4.19")}}, life, ""},
		{"a cgroup that vanishes", "al2023-like", "reference", Config{Driver: DriverCgroupfs, Hypervisor: QEMU},
			[]faults.Fault{CgroupVanishes{Sandbox: "pod1", At: 500 * time.Millisecond}}, life, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{Node: node.Spec{Distro: tt.profile}, Variant: tt.variant, Config: tt.cfg, Faults: tt.faults, Steps: tt.steps}
			r, err := Run(c, nil, sim.Fixed{}, true)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Violated(); got != tt.want {
				t.Fatalf("first violation = %q, want %q\n%v\n%s", got, tt.want, r.Violations, r.Trace.Text())
			}
		})
	}
}

func TestIncident3CrashIsANilCgroup(t *testing.T) {
	c := &Case{Node: node.Spec{Distro: "al2-like"}, Variant: "kata-3.12.0",
		Config: Config{Driver: DriverSystemd, SandboxCgroupOnly: true, Hypervisor: Firecracker},
		Steps:  []Step{{Op: OpRun, Sandbox: "pod1", Resources: incidentResources}}}
	r, err := Run(c, nil, sim.Fixed{}, true)
	if err != nil {
		t.Fatal(err)
	}
	msg := r.Violations[0].Message
	if !strings.Contains(msg, "nil pointer dereference") || !strings.Contains(msg, "newSandboxResourceController") {
		t.Fatalf("crash = %s, want a nil dereference in newSandboxResourceController", msg)
	}
	if !strings.Contains(r.Trace.Text(), "ttrpc: closed") {
		t.Fatalf("trace lacks containerd's \"ttrpc: closed\":\n%s", r.Trace.Text())
	}
}

func TestRunIsDeterministic(t *testing.T) {
	seeds := uint64(30)
	if testing.Short() {
		seeds = 10
	}
	for seed := range seeds {
		c := Generate(sim.NewPRNG(seed), "kata-3.12.0", GenOptions{})
		a, err := Run(c, nil, sim.NewPRNG(seed), true)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Run(c.Clone(), nil, sim.NewPRNG(seed), true)
		if a.Trace.Hash() != b.Trace.Hash() {
			t.Fatalf("seed %d: trace hashes %s and %s differ:\n%s\n---\n%s", seed, a.Trace.Hash(), b.Trace.Hash(), a.Trace.Text(), b.Trace.Text())
		}
	}
}

// TestNoTreeOutlivesItsScenario: every run's simulated cgroupfs is gone
// when Run returns, crashes and replays included, but the trees kept for
// the next runs (one a cgroup mode when runs come one at a time), which
// the model's Idle removes (25 seeds of every variant; -short: 5).
func TestNoTreeOutlivesItsScenario(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	seeds := uint64(25)
	if testing.Short() {
		seeds = 5
	}
	for seed := range seeds {
		for _, v := range Variants.All() {
			c := Generate(sim.NewPRNG(seed), v.Name, GenOptions{})
			if _, err := Run(c, nil, sim.NewPRNG(seed), false); err != nil {
				t.Fatal(err)
			}
			if trees := keptTrees(t, dir); len(trees) > 3 {
				t.Fatalf("seed %d, %s: %d trees outlived the scenario, more than one a cgroup mode: %v", seed, v.Name, len(trees), trees)
			}
			if seed%2 == 1 {
				continue
			}
			if err := Model.Idle(); err != nil {
				t.Fatal(err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("seed %d, %s: %d tree(s) outlived the model's Idle", seed, v.Name, len(entries))
			}
		}
	}
}

func TestModelIsRegistered(t *testing.T) {
	m, ok := models.Lookup("cgroups")
	if !ok || m.Generate == nil || !m.HasInvariant(InvLimits.Name) {
		t.Fatal("the cgroups model is not registered with its invariants")
	}
	if _, err := m.Variant("kata-3.12.0"); err != nil {
		t.Fatal(err)
	}
}

// keptTrees lists the trees in dir, failing t on a directory set aside
// (name.spare) beside no tree: spares are kept only with their tree.
func keptTrees(t *testing.T, dir string) []string {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var trees, spares []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".spare"); ok {
			spares = append(spares, name)
		} else {
			trees = append(trees, e.Name())
		}
	}
	for _, s := range spares {
		if !slices.Contains(trees, s) {
			t.Fatalf("%s.spare outlived its tree", s)
		}
	}
	return trees
}
