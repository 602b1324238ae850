package cgroupfs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"
)

// diskDump lists a tree as it is on disk, relative to its directory:
// every entry's kind and permissions, a file's content, a link's target.
func diskDump(t *testing.T, tree *FS) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(tree.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(path, tree.Dir())
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %s", rel, info.Mode())
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " -> %s", target)
		case d.Type().IsRegular():
			content, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %q", content)
		}
		b.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// state is everything of a tree a run can observe: its files, its kernel
// state and its generation.
func state(t *testing.T, tree *FS) string {
	return fmt.Sprintf("%s\n%s\ngeneration %d window %d", diskDump(t, tree), tree.Dump(), tree.Generation(), tree.Window())
}

// use drives a tree as a scenario does, and leaves as much behind as one
// can: cgroups the library made and filled, processes moved, a cgroup
// the node made, a file the kernel refused and a cgroup a plan placed,
// and, in a window left open, unsettled writes to a root file and files
// and directories the kernel never took in.
func use(t *testing.T, tree *FS) {
	t.Helper()
	if err := tree.StartProcess(900, "containerd", "/system.slice/containerd.service"); err != nil {
		t.Fatal(err)
	}
	if err := tree.Mkdir("/kubepods", tree.Controllers()); err != nil {
		t.Fatal(err)
	}
	// A plan from an earlier run: a cgroup placed and a file trapped in
	// the window about to open.
	tree.SetPlan(Plan{Entries: []PlanEntry{{Window: 0, Hier: tree.hiers[0].label(), Path: "/placed"},
		{Window: 0, Hier: tree.hiers[0].label(), Path: "/kubepods", File: "cgroup.procs", Why: "EACCES: test"}}})
	if err := tree.Begin(); err != nil {
		t.Fatal(err)
	}
	if tree.Spec().Mode == Unified {
		if _, err := cgroup2.NewManager(tree.UnifiedMountpoint(), "/kubepods/sb", cgroup2.ToResources(resources())); err != nil {
			t.Fatal(err)
		}
		m, _ := cgroup2.Load("/kubepods/sb", cgroup2.WithMountpoint(tree.UnifiedMountpoint()))
		_ = m.AddProc(900)
	} else {
		root := tree.Mountpoint()
		h := func() ([]cgroup1.Subsystem, error) {
			return []cgroup1.Subsystem{cgroup1.NewNamed(root, "systemd"), cgroup1.NewCpu(root), cgroup1.NewPids(root),
				cgroup1.NewMemory(root, cgroup1.IgnoreModules("memsw", "kmem", "kmem.tcp"))}, nil
		}
		cg, err := cgroup1.New(cgroup1.StaticPath("/kubepods/sb"), resources(), cgroup1.WithHierarchy(h))
		if err != nil {
			t.Fatal(err)
		}
		_ = cg.AddProc(900)
	}
	settle(t, tree)
	if err := tree.Begin(); err != nil {
		t.Fatal(err)
	}
	for i, h := range tree.hiers {
		paths := []string{h.dir + "/cgroup.procs", h.dir + "/stray", tree.Mountpoint() + "/stray"}
		for name := range tree.base.roots[i].rendered {
			paths = append(paths, h.dir+"/"+name)
		}
		for _, p := range paths {
			if err := os.WriteFile(p, []byte("900"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(h.dir+"/unsettled/x", 0o700); err != nil {
			t.Fatal(err)
		}
	}
}

// TestClosedTreeIsResetToNew: a tree closed after any use, in the middle
// of a window included, is kept and handed to the next New of its spec
// byte for byte as New built it (files, kernel state, generation), and
// gives the library the same answers as a new tree; a tree of another
// spec is not handed out.
func TestClosedTreeIsResetToNew(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	for _, p := range Profiles() {
		t.Run(p.Name, func(t *testing.T) {
			if err := CloseIdle(); err != nil {
				t.Fatal(err)
			}
			spec := Spec{Profile: p}
			first, err := New(spec)
			if err != nil {
				t.Fatal(err)
			}
			fresh, dir := state(t, first), first.Dir()
			use(t, first)
			if err := first.Close(); err != nil {
				t.Fatal(err)
			}
			other := spec
			other.MissingFiles = []string{"pids.max"}
			if o, err := New(other); err != nil {
				t.Fatal(err)
			} else if o.Dir() == dir {
				t.Fatalf("a tree of spec %v was handed out for spec %v", spec, other)
			} else if err := o.Close(); err != nil {
				t.Fatal(err)
			}
			second, err := New(spec)
			if err != nil {
				t.Fatal(err)
			}
			if second.Dir() != dir {
				t.Fatalf("the closed tree %s was not kept for the next New of its spec (got %s)", dir, second.Dir())
			}
			if got := state(t, second); got != fresh {
				t.Fatalf("the kept tree differs from a new one:\n%s\nwant\n%s", got, fresh)
			}
			use(t, second)
			reused := strings.ReplaceAll(state(t, second), second.Mountpoint(), "MOUNT")
			if err := second.Close(); err != nil {
				t.Fatal(err)
			}
			if err := CloseIdle(); err != nil {
				t.Fatal(err)
			}
			third, err := New(spec)
			if err != nil {
				t.Fatal(err)
			}
			if third.Dir() == dir {
				t.Fatal("CloseIdle left the kept tree to be handed out")
			}
			use(t, third)
			if got := strings.ReplaceAll(state(t, third), third.Mountpoint(), "MOUNT"); got != reused {
				t.Fatalf("the same use of a new tree and of a kept one differ:\n%s\nwant (kept)\n%s", got, reused)
			}
			if err := third.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
	if err := CloseIdle(); err != nil {
		t.Fatal(err)
	}
}
