package cgroupfs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"
)

// snapshot renders a tree's disk below its directory: each path with its
// type and permission bits, a file's bytes, a link's target, sorted.
func snapshot(t *testing.T, tree *FS) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(tree.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(path, tree.Dir())
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		line := fmt.Sprintf("%s %v", rel, fi.Mode())
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			line += " -> " + target
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			line += fmt.Sprintf(" %q", b)
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// useTree runs a node's life on a tree: containerd and kubelet's cgroups,
// processes coming and going, the real library making a sandbox cgroup
// (left behind when keep is true, else removed) with limits, and returns
// the snapshots of its disk at each point a runtime or reader could look.
func useTree(t *testing.T, tree *FS, sandbox string, keep bool) []string {
	t.Helper()
	var shots []string
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("start containerd", tree.StartProcess(900, "containerd", "/system.slice/containerd.service"))
	step("make /kubepods", tree.Mkdir("/kubepods", tree.Controllers()))
	step("make the pod", tree.Mkdir("/kubepods/pod1", nil))
	step("start a process", tree.StartProcess(1010, "p", "/kubepods/pod1"))
	step("flush", tree.Flush())
	shots = append(shots, snapshot(t, tree))
	step("begin", tree.Begin())
	shots = append(shots, snapshot(t, tree))
	var remove func() error
	if tree.Spec().Mode == Unified {
		m, err := cgroup2.NewManager(tree.UnifiedMountpoint(), sandbox, cgroup2.ToResources(resources()))
		step("cgroup2 manager", err)
		step("add the process", m.AddProc(1010))
		remove = func() error {
			if err := m.MoveTo(mustLoad(t, tree, "/kubepods/pod1")); err != nil {
				return err
			}
			if _, err := tree.Settle(); err != nil {
				return err
			}
			if err := tree.Begin(); err != nil {
				return err
			}
			return m.Delete()
		}
	} else {
		root := tree.Mountpoint()
		h := func() ([]cgroup1.Subsystem, error) {
			return []cgroup1.Subsystem{cgroup1.NewCpuset(root), cgroup1.NewCpu(root),
				cgroup1.NewMemory(root, cgroup1.IgnoreModules("memsw", "kmem", "kmem.tcp")), cgroup1.NewPids(root)}, nil
		}
		cg, err := cgroup1.New(cgroup1.StaticPath(sandbox), resources(), cgroup1.WithHierarchy(h))
		step("cgroup1 new", err)
		step("add the process", cg.AddProc(1010))
		remove = func() error {
			dest, err := cgroup1.Load(cgroup1.StaticPath("/kubepods/pod1"), cgroup1.WithHierarchy(h))
			if err != nil {
				return err
			}
			if err := cg.MoveTo(dest); err != nil {
				return err
			}
			if _, err := tree.Settle(); err != nil {
				return err
			}
			if err := tree.Begin(); err != nil {
				return err
			}
			return cg.Delete()
		}
	}
	_, err := tree.Settle()
	step("settle", err)
	shots = append(shots, snapshot(t, tree))
	// Writes the kernel refuses: a file it lacks, a read-only one.
	step("begin", tree.Begin())
	step("write a missing file", os.WriteFile(tree.Path("", "/kubepods/pod1")+"/memory.bogus", []byte("1"), 0o644))
	step("write a read-only file", os.WriteFile(tree.Path("", "/kubepods/pod1")+"/cgroup.controllers", []byte("memory"), 0o644))
	refusals, err := tree.Settle()
	step("settle", err)
	if len(refusals) != 2 {
		t.Fatalf("refusals %v, want the missing file's and the read-only file's", refusals)
	}
	shots = append(shots, snapshot(t, tree))
	// systemd stops a unit while the runtime writes into its cgroup.
	step("make the unit's cgroup", tree.Mkdir("/kubepods/pod2", nil))
	step("begin", tree.Begin())
	file := filepath.Join(tree.Path("pids", "/kubepods/pod2"), "pids.max")
	step("write into the unit's cgroup", os.WriteFile(file, []byte("10"), 0o644))
	step("stop the unit", tree.Remove("/kubepods/pod2"))
	_, err = tree.Settle()
	step("settle", err)
	shots = append(shots, snapshot(t, tree))
	if !keep {
		step("begin", tree.Begin())
		step("remove the sandbox", remove())
		_, err := tree.Settle()
		step("settle", err)
		shots = append(shots, snapshot(t, tree))
	}
	step("exit", tree.Exit(1010))
	step("flush", tree.Flush())
	shots = append(shots, snapshot(t, tree))
	return shots
}

func mustLoad(t *testing.T, tree *FS, rel string) *cgroup2.Manager {
	t.Helper()
	m, err := cgroup2.Load(rel, cgroup2.WithMountpoint(tree.UnifiedMountpoint()))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestKeptTreeReadsAsANewOne: a tree that takes over a closed one (of the
// same node or another of its cgroup mode, with the runtime's cgroups left
// in it or not) holds on its disk, byte for byte and mode for mode, what a
// new tree holds, at every point a runtime or reader can look, and claimed
// some of it; a tree of another mode starts anew.
func TestKeptTreeReadsAsANewOne(t *testing.T) {
	names := []string{"al2-like", "legacy4.19-like", "ubuntu20.04-like", "al2023-like", "debian11-like"}
	for _, before := range names {
		for _, after := range names {
			for _, leave := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s then %s, sandbox left %v", before, after, leave), func(t *testing.T) {
					t.Cleanup(idle(t))
					first, err := New(Spec{Profile: profile(t, before)})
					if err != nil {
						t.Fatal(err)
					}
					useTree(t, first, "/kubepods/sb", leave)
					if err := first.Close(); err != nil {
						t.Fatal(err)
					}
					if keptWatchers() != 1 {
						t.Fatalf("the first tree was not kept (tainted %v)", first.tainted)
					}

					spec := Spec{Profile: profile(t, after)}
					reused, err := New(spec)
					if err != nil {
						t.Fatal(err)
					}
					sameMode := profile(t, before).Mode == profile(t, after).Mode
					if took := reused.Dir() == first.Dir(); took != sameMode {
						t.Fatalf("the second tree took over the kept one: %v, want %v (the same cgroup mode)", took, sameMode)
					}
					claimed := 0
					for _, e := range reused.kept {
						if e.claimed {
							claimed++
						}
					}
					got := useTree(t, reused, "/kubepods/sb2", false)
					if err := reused.Close(); err != nil {
						t.Fatal(err)
					}
					if err := CloseIdle(); err != nil {
						t.Fatal(err)
					}

					fresh, err := New(spec)
					if err != nil {
						t.Fatal(err)
					}
					want := useTree(t, fresh, "/kubepods/sb2", false)
					if err := fresh.Close(); err != nil {
						t.Fatal(err)
					}
					samePoints(t, got, want, "the kept tree holds", "as a new tree")
					if sameMode && claimed == 0 {
						t.Fatal("a tree of the same mode claimed nothing of the kept one")
					}
				})
			}
		}
	}
}

// TestTreesOpenTogetherEachFindAKeptOne: a mode keeps as many closed trees
// as it had open at once (campaign workers side by side), up to
// maxKeptOfMode, so that the next trees opened together each take one
// instead of all but one being made anew; trees opened one at a time keep
// one.
func TestTreesOpenTogetherEachFindAKeptOne(t *testing.T) {
	for _, together := range []int{1, 2, 3, maxKeptOfMode + 1} {
		t.Run(fmt.Sprintf("%d at once", together), func(t *testing.T) {
			t.Cleanup(idle(t))
			spec := Spec{Profile: profile(t, "al2023-like")}
			open := func(n int) ([]*FS, []string) {
				trees, dirs := make([]*FS, n), make([]string, n)
				for i := range trees {
					tree, err := New(spec)
					if err != nil {
						t.Fatal(err)
					}
					trees[i], dirs[i] = tree, tree.Dir()
				}
				return trees, dirs
			}
			closeAll := func(trees []*FS) {
				for _, tree := range trees {
					useTree(t, tree, "/kubepods/sb", false)
					if err := tree.Close(); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := min(together, maxKeptOfMode)
			first, firstDirs := open(together)
			closeAll(first)
			if got := keptWatchers(); got != want {
				t.Fatalf("%d trees kept after %d were open at once, want %d", got, together, want)
			}
			second, secondDirs := open(together)
			took := 0
			for _, dir := range secondDirs {
				if slices.Contains(firstDirs, dir) {
					took++
				}
			}
			if took != want {
				t.Fatalf("%d of %d trees opened together took a kept one, want %d", took, together, want)
			}
			closeAll(second)
			if err := CloseIdle(); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				trees, _ := open(1)
				closeAll(trees)
				if got := keptWatchers(); got != 1 {
					t.Fatalf("%d trees kept after one at a time, want 1", got)
				}
			}
		})
	}
}

// TestKeptTreesStayWithinTheDescriptorBudget: beyond the newest tree of
// each mode, trees are kept only while the kept trees' descriptors stay
// within keptFDBudget, the oldest going first; the newest of each mode is
// kept whatever the budget, as when trees open one at a time.
func TestKeptTreesStayWithinTheDescriptorBudget(t *testing.T) {
	for _, tt := range []struct {
		name     string
		budget   int
		profiles []string // trees open at once, then closed in this order
		want     int      // trees kept
	}{
		{"room for all", 1 << 16, []string{"al2023-like", "al2023-like", "al2023-like"}, 3},
		{"room for one of a mode", 1, []string{"al2023-like", "al2023-like", "al2023-like"}, 1},
		{"the newest of each mode whatever the budget", 1, []string{"al2023-like", "al2-like", "al2023-like", "al2-like"}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Cleanup(idle(t))
			budget := keptFDBudget
			keptFDBudget = func() int { return tt.budget }
			t.Cleanup(func() { keptFDBudget = budget })
			trees := make([]*FS, len(tt.profiles))
			for i, p := range tt.profiles {
				tree, err := New(Spec{Profile: profile(t, p)})
				if err != nil {
					t.Fatal(err)
				}
				trees[i] = tree
			}
			for _, tree := range trees {
				useTree(t, tree, "/kubepods/sb", false)
				if err := tree.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if got := keptWatchers(); got != tt.want {
				t.Fatalf("%d trees kept, want %d", got, tt.want)
			}
			keptTrees.mu.Lock()
			var kept []string
			for _, k := range keptTrees.list {
				kept = append(kept, k.dir)
			}
			keptTrees.mu.Unlock()
			newest := map[Mode]string{}
			for _, tree := range trees {
				newest[tree.spec.Mode] = tree.Dir()
			}
			for mode, dir := range newest {
				if !slices.Contains(kept, dir) {
					t.Fatalf("the newest tree of mode %v (%s) was not kept: %v", mode, dir, kept)
				}
			}
		})
	}
}

// TestKeptTreesCountTheirDescriptors: the descriptors a kept tree is
// counted as holding (what keptFDBudget bounds) are those it holds open,
// its set-aside directories' files and its inotify instance included.
func TestKeptTreesCountTheirDescriptors(t *testing.T) {
	openFDs := func() int {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	for _, name := range []string{"al2023-like", "al2-like"} {
		t.Run(name, func(t *testing.T) {
			t.Cleanup(idle(t))
			before := openFDs()
			spec := Spec{Profile: profile(t, name)}
			first, err := New(spec)
			if err != nil {
				t.Fatal(err)
			}
			useTree(t, first, "/kubepods/sb", true)
			if err := first.Mkdir("/gone", nil); err != nil { // the next tree makes none
				t.Fatal(err)
			}
			if err := first.Close(); err != nil {
				t.Fatal(err)
			}
			second, err := New(spec)
			if err != nil {
				t.Fatal(err)
			}
			useTree(t, second, "/kubepods/sb2", false)
			spares := len(second.spares)
			if err := second.Close(); err != nil {
				t.Fatal(err)
			}
			if spares == 0 {
				t.Fatal("the second tree set no directory aside: the test does not reach the spares")
			}
			keptTrees.mu.Lock()
			counted := 0
			for _, k := range keptTrees.list {
				counted += k.fds
			}
			keptTrees.mu.Unlock()
			watchers.mu.Lock()
			pooled := len(watchers.idle)
			watchers.mu.Unlock()
			if held := openFDs() - before - pooled; held != counted {
				t.Fatalf("the kept trees hold %d descriptors and are counted as holding %d (%d directories set aside)", held, counted, spares)
			}
		})
	}
}
