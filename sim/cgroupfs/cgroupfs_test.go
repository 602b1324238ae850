package cgroupfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func profile(t testing.TB, name string) Profile {
	t.Helper()
	p, err := LookupProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// must fails the test with what when err is not nil.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// idle empties what trees keep for the next ones (CloseIdle: kept trees,
// pooled watchers, shared kernel facts), so that a test starts from none,
// and returns the function that empties it again, to defer or to register
// with t.Cleanup.
func idle(t *testing.T) func() {
	t.Helper()
	if err := CloseIdle(); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := CloseIdle(); err != nil {
			t.Error(err)
		}
	}
}

// samePoints fails t unless got and want hold the same points (disk
// snapshots), as many and each equal, naming the first that differs by
// what each side is.
func samePoints(t *testing.T, got, want []string, gotIs, wantIs string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d points, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("point %d: %s\n%s\nwant, %s\n%s", i, gotIs, got[i], wantIs, want[i])
		}
	}
}

// node builds a tree with containerd running and kubelet's /kubepods, and
// removes it when the test ends.
func node(t testing.TB, s Spec) *FS {
	t.Helper()
	fs, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := fs.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := fs.StartProcess(900, "containerd", "/system.slice/containerd.service"); err != nil {
		t.Fatal(err)
	}
	if err := fs.Mkdir("/kubepods", fs.Controllers()); err != nil {
		t.Fatal(err)
	}
	return fs
}

func resources() *specs.LinuxResources {
	shares, quota, period, mem, pids := uint64(512), int64(50000), uint64(100000), int64(256<<20), int64(100)
	return &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: &shares, Quota: &quota, Period: &period, Cpus: "0,1"},
		Memory: &specs.LinuxMemory{Limit: &mem}, Pids: &specs.LinuxPids{Limit: &pids}}
}

func read(t *testing.T, dir, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func settle(t *testing.T, fs *FS) []Refusal {
	t.Helper()
	r, err := fs.Settle()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestLibraryWritesTheTree drives the real cgroup2 and cgroup1 managers
// against the tree and reads the files back, through the library and raw.
func TestLibraryWritesTheTree(t *testing.T) {
	t.Run("cgroup2", func(t *testing.T) {
		fs := node(t, Spec{Profile: profile(t, "al2023-like")})
		if err := fs.Begin(); err != nil {
			t.Fatal(err)
		}
		m, err := cgroup2.NewManager(fs.UnifiedMountpoint(), "/kubepods/sb", cgroup2.ToResources(resources()))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.AddProc(900); err != nil {
			t.Fatal(err)
		}
		if r := settle(t, fs); len(r) != 0 {
			t.Fatalf("refusals %v", r)
		}
		dir := fs.Path("", "/kubepods/sb")
		for file, want := range map[string]string{"memory.max": "268435456", "pids.max": "100", "cpu.max": "50000 100000",
			"cpuset.cpus": "0-1", "cpuset.cpus.effective": "0-1", "cgroup.procs": "900"} {
			if got := read(t, dir, file); got != want {
				t.Errorf("%s = %q, want %q", file, got, want)
			}
		}
		if got := read(t, fs.Mountpoint(), "cgroup.subtree_control"); got != "cpuset cpu io memory hugetlb pids rdma misc" {
			t.Errorf("root cgroup.subtree_control = %q", got)
		}
		st, err := m.StatFiltered(cgroup2.StatMemory | cgroup2.StatPids)
		if err != nil || st.Memory.UsageLimit != 256<<20 || st.Pids.Limit != 100 || st.Pids.Current != 1 {
			t.Fatalf("Stat = %+v %+v, %v", st.Memory, st.Pids, err)
		}
		// The library enabled what the resources need in /kubepods.
		if ctrls, _ := m.Controllers(); !slices.Equal(ctrls, []string{"cpuset", "cpu", "memory", "pids"}) {
			t.Errorf("cgroup.controllers = %v", ctrls)
		}
	})
	t.Run("cgroup1", func(t *testing.T) {
		fs := node(t, Spec{Profile: profile(t, "al2-like")})
		root := fs.Mountpoint()
		h := func() ([]cgroup1.Subsystem, error) {
			return []cgroup1.Subsystem{cgroup1.NewNamed(root, "systemd"), cgroup1.NewCpuset(root), cgroup1.NewCpu(root),
				cgroup1.NewMemory(root, cgroup1.IgnoreModules("memsw", "kmem", "kmem.tcp")), cgroup1.NewPids(root)}, nil
		}
		if err := fs.Begin(); err != nil {
			t.Fatal(err)
		}
		cg, err := cgroup1.New(cgroup1.StaticPath("/kubepods/sb"), resources(), cgroup1.WithHierarchy(h))
		if err != nil {
			t.Fatal(err)
		}
		if err := cg.AddProc(900); err != nil {
			t.Fatal(err)
		}
		if r := settle(t, fs); len(r) != 0 {
			t.Fatalf("refusals %v", r)
		}
		checks := []struct{ ctrl, file, want string }{
			{"memory", "memory.limit_in_bytes", "268435456"}, {"cpu", "cpu.shares", "512"}, {"cpu", "cpu.cfs_quota_us", "50000"},
			{"cpuset", "cpuset.cpus", "0-1"}, {"cpuset", "cpuset.effective_cpus", "0-1"}, {"pids", "pids.max", "100"},
			{"memory", "cgroup.procs", "900"}, {"", "cgroup.procs", "900"},
		}
		for _, c := range checks {
			if got := read(t, fs.Path(c.ctrl, "/kubepods/sb"), c.file); got != c.want {
				t.Errorf("%s %s = %q, want %q", c.ctrl, c.file, got, c.want)
			}
		}
		// cgroup v1's cpuset copies the parent's CPUs into a new parent.
		if got := read(t, fs.Path("cpuset", "/kubepods"), "cpuset.cpus"); got != "0-3" {
			t.Errorf("/kubepods cpuset.cpus = %q, want 0-3 (copied from the root)", got)
		}
		st, err := cg.Stat(cgroup1.IgnoreNotExist)
		if err != nil || st.Memory == nil || st.Memory.Usage.Limit != 256<<20 || st.Pids.Limit != 100 {
			t.Fatalf("Stat = %+v, %v", st, err)
		}
		if got := fs.Tasks("/system.slice/containerd.service", "memory", false); len(got) != 0 {
			t.Errorf("containerd's cgroup still has %v after the move", got)
		}
	})
}

// TestKernelFacts checks the version gates the package doc lists.
func TestKernelFacts(t *testing.T) {
	tests := []struct {
		kernel, ctrl, file string
		want               bool
	}{
		{"5.13", "misc", "", true}, {"5.10", "misc", "", false},
		{"5.0", "cpuset", "", true}, {"4.19", "cpuset", "", false},
		{"5.6", "hugetlb", "", true}, {"5.4", "hugetlb", "", false},
		{"5.14", "", "cgroup.kill", true}, {"5.13", "", "cgroup.kill", false},
		{"5.19", "memory", "memory.peak", true}, {"5.15", "memory", "memory.peak", false},
		{"5.2", "", "cgroup.freeze", true}, {"4.19", "", "cgroup.freeze", false},
		{"6.1", "", "irq.pressure", true}, {"5.15", "", "irq.pressure", false},
	}
	for _, tt := range tests {
		k := sim.MustVersion(tt.kernel)
		if tt.file == "" {
			if got := slices.Contains(V2Controllers(k), tt.ctrl); got != tt.want {
				t.Errorf("kernel %s has %s on cgroup2: %v, want %v", tt.kernel, tt.ctrl, got, tt.want)
			}
			continue
		}
		fs := node(t, Spec{Profile: Profile{Kernel: k, Mode: Unified, Systemd: 252}})
		if err := fs.Mkdir("/kubepods/x", fs.Controllers()); err != nil {
			t.Fatal(err)
		}
		if _, got := fs.Value("/kubepods/x", tt.ctrl, tt.file); got != tt.want {
			t.Errorf("kernel %s has %s: %v, want %v", tt.kernel, tt.file, got, tt.want)
		}
	}
	if got := V1Controllers(sim.MustVersion("5.10")); !slices.Contains(got, "pids") || slices.Contains(got, "io") {
		t.Errorf("v1 controllers of 5.10 = %v", got)
	}
}

// replay runs fn in a window of a fresh node, then again with what the
// kernel refused planned, until nothing new is learned. It returns the
// first run's error, the last run's and every refusal seen.
func replay(t *testing.T, s Spec, fn func(fs *FS) error) (refusals []Refusal, first, last error) {
	t.Helper()
	var plan Plan
	for attempt := 0; attempt < 5; attempt++ {
		fs := node(t, s)
		fs.SetPlan(plan)
		if err := fs.Begin(); err != nil {
			t.Fatal(err)
		}
		err := fn(fs)
		refusals = append(refusals, settle(t, fs)...)
		if attempt == 0 {
			first = err
		}
		last = err
		if fs.Learned().Empty() {
			return refusals, first, last
		}
		plan = plan.With(fs.Learned())
	}
	t.Fatal("the replays did not converge")
	return
}

// TestRefusalsBecomeSynchronous: a write the kernel refuses is reported,
// and the replay refuses it at the call.
func TestRefusalsBecomeSynchronous(t *testing.T) {
	v2 := profile(t, "al2023-like")
	t.Run("missing file", func(t *testing.T) {
		s := Spec{Profile: v2, Quirks: Quirks{MissingFiles: []string{"cpu.max"}}}
		refusals, first, second := replay(t, s, func(fs *FS) error {
			_, err := cgroup2.NewManager(fs.UnifiedMountpoint(), "/kubepods/sb", cgroup2.ToResources(resources()))
			return err
		})
		if first != nil || len(refusals) != 1 || refusals[0].Errno != "EACCES" {
			t.Fatalf("first run: %v, refusals %v; want the plain tree to accept and the kernel to refuse cpu.max", first, refusals)
		}
		if !errors.Is(second, fs.ErrPermission) || !strings.Contains(second.Error(), "cpu.max") {
			t.Fatalf("replay: %v, want permission denied on cpu.max", second)
		}
	})
	t.Run("controller not available", func(t *testing.T) {
		s := Spec{Profile: Profile{Kernel: sim.MustVersion("4.19"), Mode: Unified, Systemd: 241}}
		var leaf string
		refusals, _, second := replay(t, s, func(fs *FS) error {
			leaf = fs.Path("", "/kubepods/sb")
			_, err := cgroup2.NewManager(fs.UnifiedMountpoint(), "/kubepods/sb", cgroup2.ToResources(resources()))
			return err
		})
		if len(refusals) == 0 || refusals[0].Errno != "ENOENT" || !strings.Contains(refusals[0].Msg, "cpuset") {
			t.Fatalf("refusals %v, want +cpuset refused: 4.19 has no cpuset on cgroup2", refusals)
		}
		if second == nil || !strings.Contains(second.Error(), "cpuset") {
			t.Fatalf("replay: %v, want NewManager to fail naming cpuset", second)
		}
		if _, err := os.Lstat(leaf); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("the failed cgroup %s remains (%v): the library's rmdir should remove it", leaf, err)
		}
	})
	t.Run("parent made in the same call", func(t *testing.T) {
		_, _, second := replay(t, Spec{Profile: v2}, func(fs *FS) error {
			_, err := cgroup2.NewManager(fs.UnifiedMountpoint(), "/kata_overhead/sb", cgroup2.ToResources(&specs.LinuxResources{}))
			return err
		})
		if second != nil {
			t.Fatalf("replay: %v, want the new parent's cgroup.subtree_control to exist", second)
		}
	})
	t.Run("no internal processes", func(t *testing.T) {
		refusals, _, second := replay(t, Spec{Profile: v2}, func(fs *FS) error {
			if _, err := cgroup2.NewManager(fs.UnifiedMountpoint(), "/kubepods/a/b", cgroup2.ToResources(resources())); err != nil {
				return err
			}
			m, _ := cgroup2.Load("/kubepods/a", cgroup2.WithMountpoint(fs.UnifiedMountpoint()))
			return m.AddProc(900)
		})
		busy := slices.ContainsFunc(refusals, func(r Refusal) bool { return r.Errno == "EBUSY" })
		if !busy || second == nil {
			t.Fatalf("refusals %v, replay %v: want EBUSY for a process into a cgroup that enables controllers", refusals, second)
		}
	})
}

// TestV1ProcsWriteOverOldContent: cgroup v1's AddProc does not truncate.
func TestV1ProcsWriteOverOldContent(t *testing.T) {
	fs := node(t, Spec{Profile: profile(t, "al2-like")})
	for _, pid := range []int{1010, 1011, 1012} {
		if err := fs.StartProcess(pid, "p", "/system.slice/containerd.service"); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.Begin(); err != nil {
		t.Fatal(err)
	}
	cg, err := cgroup1.Load(cgroup1.StaticPath("/kubepods"), cgroup1.WithHierarchy(func() ([]cgroup1.Subsystem, error) {
		return []cgroup1.Subsystem{cgroup1.NewMemory(fs.Mountpoint())}, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	// /kubepods lists nothing; containerd.service lists 900 1010 1011 1012.
	dest, _ := cgroup1.Load(cgroup1.StaticPath("/system.slice/containerd.service"), cgroup1.WithHierarchy(func() ([]cgroup1.Subsystem, error) {
		return []cgroup1.Subsystem{cgroup1.NewMemory(fs.Mountpoint())}, nil
	}))
	if err := cg.AddProc(1011); err != nil {
		t.Fatal(err)
	}
	if r := settle(t, fs); len(r) != 0 {
		t.Fatalf("refusals %v", r)
	}
	if got := fs.Tasks("/kubepods", "memory", false); !slices.Equal(got, []int{1011}) {
		t.Fatalf("/kubepods tasks = %v, want [1011]", got)
	}
	if err := fs.Begin(); err != nil {
		t.Fatal(err)
	}
	if err := dest.AddProc(1011); err != nil { // "1011" over "900\n1010\n1012\n"
		t.Fatal(err)
	}
	if r := settle(t, fs); len(r) != 0 {
		t.Fatalf("refusals %v", r)
	}
	if got := fs.Tasks("/system.slice/containerd.service", "memory", false); !slices.Equal(got, []int{900, 1010, 1011, 1012}) {
		t.Fatalf("containerd.service tasks = %v", got)
	}
}

// TestNoTreeOutlivesItsNode: every tree lives under TempRoot and Close
// removes it, whatever happened in it, or keeps it for the next tree,
// which CloseIdle removes.
func TestNoTreeOutlivesItsNode(t *testing.T) {
	if err := CloseIdle(); err != nil { // no facts or trees of earlier tests
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	for i, p := range Profiles() {
		fs, err := New(Spec{Profile: p})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(fs.Dir(), dir) {
			t.Fatalf("tree %s is not under TMPDIR %s", fs.Dir(), dir)
		}
		_ = fs.Mkdir("/kubepods/a/b", nil)
		_ = fs.Begin()
		_ = os.MkdirAll(filepath.Join(fs.Mountpoint(), "x", "y"), 0o755)
		_, _ = fs.Settle()
		if i%2 == 1 {
			// Closed in a window, with a file the kernel never took in.
			_ = fs.Begin()
			_ = os.WriteFile(fs.Path("", "/kubepods/a")+"/stray", []byte("1"), 0o644)
		}
		if err := fs.Close(); err != nil || fs.Close() != nil {
			t.Fatalf("close: %v", err)
		}
	}
	if sharedFacts() == 0 {
		t.Fatal("no tree shared its kernel's facts")
	}
	if err := CloseIdle(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("%d trees outlived their node in %s", len(entries), dir)
	}
	if n := sharedFacts(); n != 0 {
		t.Fatalf("CloseIdle left %d kernels' facts shared", n)
	}
}

func TestListsAndProfiles(t *testing.T) {
	set, err := ParseList("3,0-1,1")
	if err != nil || FormatList(set) != "0-1,3" {
		t.Fatalf("ParseList/FormatList = %v %q, %v", set, FormatList(set), err)
	}
	if _, err := ParseList("2-1"); err == nil {
		t.Fatal("ParseList(2-1) accepted a reversed range")
	}
	if _, err := LookupProfile("nope"); err == nil || !strings.Contains(err.Error(), "al2-like") {
		t.Fatalf("LookupProfile(nope) = %v, want the known names", err)
	}
	for _, s := range []string{"v1", "hybrid", "v2"} {
		if m, err := ParseMode(s); err != nil || m.String() != s {
			t.Errorf("ParseMode(%s) = %v, %v", s, m, err)
		}
	}
	if got := SystemdV2Controllers(239); slices.Contains(got, "cpuset") || !slices.Contains(got, "memory") {
		t.Errorf("systemd 239 delegates %v: expected memory, not cpuset (AllowedCPUs= came in 244)", got)
	}
	fs := node(t, Spec{Profile: profile(t, "al2023-like")})
	if d := fs.Dump(); !strings.Contains(d, "cgroup2:/system.slice/containerd.service tasks=[900]") {
		t.Fatalf("dump lacks containerd:\n%s", d)
	}
}
