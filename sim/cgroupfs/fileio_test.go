package cgroupfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRewritesLeaveExactlyTheContent: a file written by its path or
// through the descriptor kept from its last write holds the new content
// and not one byte of the old, whether the new one is longer, as long,
// shorter (the old one's beginning or not) or empty, whether the old one
// is known or not, or the file is gone.
func TestRewritesLeaveExactlyTheContent(t *testing.T) {
	cases := []struct {
		name, old, content string
		// known: the writer knows the file holds old.
		known, missing bool
	}{
		{"longer", "900\n", "900\n1010\n", true, false},
		{"as long", "1010\n", "1011\n", true, false},
		{"shorter", "900\n1010\n1011\n", "1010\n", true, false},
		{"the old one's beginning", "900\n1010\n", "900\n", true, false},
		{"unknown and the old one's beginning", "900\n1010\n", "900\n", false, false},
		{"missing and the old one's beginning", "900\n1010\n", "900\n", true, true},
		{"empty", "900\n1010\n", "", true, false},
		{"unknown and longer", "900\n1010\n", "1011\n", false, false},
		{"unknown and empty", "900\n1010\n", "", false, false},
		{"missing", "900\n", "900\n1010\n", true, true},
		{"missing and empty", "900\n", "", true, true},
	}
	dir := t.TempDir()
	for _, c := range cases {
		for _, through := range []string{"path", "descriptor"} {
			t.Run(c.name+" by "+through, func(t *testing.T) {
				path := filepath.Join(dir, strings.ReplaceAll(c.name+" "+through, " ", "-"))
				cg := &cgroup{}
				defer cg.closeFDs()
				if !c.missing {
					if err := os.WriteFile(path, []byte(c.old), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				var err error
				if through == "path" {
					err = cg.writeOpen("f", path, c.content, c.old, c.known)
				} else if err = cg.writeOpen("f", path, c.old, c.old, c.known); err == nil {
					// The descriptor's file holds old, as writeOpen wrote it.
					held := unknownContent
					if c.known {
						held = exactlyOld
					}
					err = rewriteAt(cg.fds["f"], c.content, c.old, held)
				}
				if err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != c.content {
					t.Fatalf("file holds %q, want %q (old %q)", got, c.content, c.old)
				}
			})
		}
	}
}

// TestReadFileReadsToTheEnd: ReadFile returns every byte of files shorter
// than, as long as and longer than its buffer.
func TestReadFileReadsToTheEnd(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 4095, 4096, 4097, 8192, 10000} {
		want := strings.Repeat("x", n)
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(path)
		if err != nil || got != want {
			t.Fatalf("%d bytes: read %d bytes, error %v", n, len(got), err)
		}
	}
}

// checkDisk fails unless every file the tree rendered holds on disk exactly
// what it rendered; only the file at mayMiss (an absolute path the runtime
// removed, or "") may be missing.
func checkDisk(t *testing.T, fs *FS, when, mayMiss string) {
	t.Helper()
	if m := diskMismatch(fs, mayMiss); m != "" {
		t.Fatalf("%s: %s", when, m)
	}
}

// diskMismatch says how a file the tree rendered differs on disk from what
// it rendered, or "" when none does (see checkDisk).
func diskMismatch(fs *FS, mayMiss string) string {
	for _, h := range fs.hiers {
		for _, cg := range h.sortedCgroups() {
			for name, want := range cg.rendered {
				path := h.abs(cg.rel) + "/" + name
				got, err := ReadFile(path)
				if errors.Is(err, unix.ENOENT) && path == mayMiss {
					continue
				}
				if err != nil || got != want {
					return fmt.Sprintf("%s:%s/%s holds %q (error %v), the tree rendered %q", h.label(), cg.rel, name, got, err, want)
				}
			}
		}
	}
	return ""
}

// TestCheckDiskSeesWhatDiffers: checkDisk's comparison finds a rendered
// file deleted, unless it may be missing, and one changed.
func TestCheckDiskSeesWhatDiffers(t *testing.T) {
	fs := node(t, Spec{Profile: profile(t, "al2023-like")})
	fs.tainted = true // its disk will not say what it rendered: not kept
	if err := fs.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(fs.Path("", "/system.slice/containerd.service"), "cgroup.procs")
	if m := diskMismatch(fs, ""); m != "" {
		t.Fatalf("a tree just flushed: %s", m)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if diskMismatch(fs, "") == "" {
		t.Fatal("a rendered file deleted went unseen")
	}
	if m := diskMismatch(fs, path); m != "" {
		t.Fatalf("the file that may be missing is: %s", m)
	}
	if err := os.WriteFile(path, []byte("901\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if diskMismatch(fs, path) == "" {
		t.Fatal("a rendered file changed went unseen")
	}
}

// TestRenderedIsWhatTheDiskHolds: what a tree believes a file holds, which
// decides how it rewrites the file, is what the file holds, on every node,
// while processes come, move and go (cgroup.procs and pids.current grow
// and shrink) and the runtime writes values, rewrites them shorter, writes
// without a newline and removes a file.
func TestRenderedIsWhatTheDiskHolds(t *testing.T) {
	for _, p := range Profiles() {
		t.Run(p.Name, func(t *testing.T) {
			fs := node(t, Spec{Profile: p})
			mem := fs.Path("memory", "/kubepods")
			limit := "memory.max"
			if !fs.MountsV1("memory") {
				mem = fs.Path("", "/kubepods")
			} else {
				limit = "memory.limit_in_bytes"
			}
			procs := filepath.Join(fs.Path("", "/system.slice/containerd.service"), "cgroup.procs")
			steps := []struct {
				what string
				node func() error
				// runtime acts inside a window.
				runtime func() error
				// removes is the rendered file the runtime removes, which
				// may be missing once the window is settled.
				removes string
			}{
				{what: "processes start", node: func() error {
					for _, pid := range []int{1010, 1011, 1012} {
						if err := fs.StartProcess(pid, "p", "/kubepods"); err != nil {
							return err
						}
					}
					return nil
				}},
				{what: "a process moves", node: func() error { return fs.MoveProcess(1011, "/system.slice/containerd.service") }},
				{what: "the runtime writes a limit", runtime: func() error {
					return os.WriteFile(filepath.Join(mem, limit), []byte("268435456"), 0o644)
				}},
				{what: "the runtime writes a shorter limit", runtime: func() error {
					return os.WriteFile(filepath.Join(mem, limit), []byte("4096\n"), 0o644)
				}},
				{what: "processes exit", node: func() error {
					for _, pid := range []int{1010, 1012} {
						if err := fs.Exit(pid); err != nil {
							return err
						}
					}
					return nil
				}},
				{what: "the runtime removes cgroup.procs", runtime: func() error {
					return os.Remove(procs)
				}, removes: procs},
				{what: "a process comes back", node: func() error {
					if err := fs.StartProcess(1020, "p", "/system.slice/containerd.service"); err != nil {
						return err
					}
					if err := fs.Flush(); err != nil {
						return err
					}
					// The file the runtime removed is made again.
					_, err := ReadFile(procs)
					return err
				}},
				{what: "the last ones exit", node: func() error {
					for _, pid := range []int{1011, 1020} {
						if err := fs.Exit(pid); err != nil {
							return err
						}
					}
					return nil
				}},
			}
			checkDisk(t, fs, "built", "")
			for _, s := range steps {
				if s.node != nil {
					if err := s.node(); err != nil {
						t.Fatalf("%s: %v", s.what, err)
					}
					if err := fs.Flush(); err != nil {
						t.Fatal(err)
					}
					checkDisk(t, fs, s.what, "")
				}
				if err := fs.Begin(); err != nil {
					t.Fatal(err)
				}
				checkDisk(t, fs, s.what+", window opened", "")
				if s.runtime != nil {
					if err := s.runtime(); err != nil {
						t.Fatalf("%s: %v", s.what, err)
					}
				}
				settle(t, fs)
				checkDisk(t, fs, s.what+", settled", s.removes)
			}
		})
	}
}

// TestRemoveTreeRemovesEverything: removeAt, the plain system calls
// removeTree tries before os.RemoveAll, removes a directory with
// directories, files (one with mode 0), links and more entries than one
// getdents read returns; removeTree removes a link given as the tree (not
// what it points to) and takes a missing one for removed.
func TestRemoveTreeRemovesEverything(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	must(t, "make the tree", os.MkdirAll(tree+"/a/b/c", 0o755))
	must(t, "make an empty directory", os.Mkdir(tree+"/empty", 0o755))
	must(t, "write a file", os.WriteFile(tree+"/a/b/c/f", []byte("1"), 0o644))
	must(t, "write a file of mode 0", os.WriteFile(tree+"/a/zero", nil, 0))
	must(t, "link up", os.Symlink(tree+"/a", tree+"/a/b/up"))
	for i := range 100 {
		must(t, "write a long-named file", os.WriteFile(fmt.Sprintf("%s/a/%s-%03d", tree, strings.Repeat("n", 200), i), nil, 0o644))
	}
	must(t, "link to the tree", os.Symlink(tree+"/a", dir+"/link"))
	must(t, "remove the link", removeTree(dir+"/link"))
	if _, err := os.Stat(tree + "/a/b/c/f"); err != nil {
		t.Fatalf("removing a link removed what it points to: %v", err)
	}
	if err := removeAt(unix.AT_FDCWD, tree); err != nil {
		t.Fatalf("removeAt: %v", err)
	}
	if _, err := os.Lstat(tree); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the tree is still there: %v", err)
	}
	must(t, "remove a missing tree", removeTree(tree))
}
