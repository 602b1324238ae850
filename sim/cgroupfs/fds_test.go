package cgroupfs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runtimeActs are what a runtime may do to a file the tree rendered, in a
// window, before the node changes the tree in the same window.
var runtimeActs = []struct {
	name string
	do   func(path string) error
}{
	{"writes it in place", func(path string) error { return os.WriteFile(path, []byte("20"), 0o644) }},
	{"removes it and writes a new one", func(path string) error {
		if err := os.Remove(path); err != nil {
			return err
		}
		return os.WriteFile(path, []byte("30"), 0o644)
	}},
	{"renames a new file over it", func(path string) error {
		tmp := filepath.Join(filepath.Dir(path), "x.tmp")
		if err := os.WriteFile(tmp, []byte("40"), 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, path)
	}},
	{"removes it", os.Remove},
}

// descriptorsLife runs a node's life on a tree in which the runtime acts
// on a file the tree keeps a descriptor on, and the node then changes the
// cgroup in the same window (a process starts in it), and returns the
// snapshots of the disk (and of what the tree reads: see reads) at each
// point a reader can look, and the refusals
// and kernel state once the window is settled; then those of the node's
// next tree (made in this one when the act left it kept), where the
// runtime does nothing, and of a third, made in the second, kept, with
// the descriptors it hands over, where the runtime acts again; and how
// many descriptors the trees held at those points.
func descriptorsLife(t *testing.T, spec Spec, file string, act func(string) error) (shots []string, held int) {
	t.Helper()
	life := func(tree *FS, act func(string) error) {
		must(t, "make the pod", tree.Mkdir("/kubepods/pod1", tree.Controllers()))
		must(t, "start a process", tree.StartProcess(1010, "p", "/kubepods/pod1"))
		must(t, "begin", tree.Begin())
		if act != nil {
			must(t, "the runtime's act", act(filepath.Join(tree.Path("pids", "/kubepods/pod1"), file)))
		}
		must(t, "start another process", tree.StartProcess(1011, "q", "/kubepods/pod1"))
		shots = append(shots, snapshot(t, tree), reads(t, tree))
		held += heldFDs(tree)
		refusals, err := tree.Settle()
		must(t, "settle", err)
		shots = append(shots, fmt.Sprint(refusals), tree.Dump(), snapshot(t, tree), reads(t, tree))
		held += heldFDs(tree)
		must(t, "exit", tree.Exit(1011))
		must(t, "flush", tree.Flush())
		shots = append(shots, snapshot(t, tree), reads(t, tree))
		held += heldFDs(tree)
		must(t, "begin", tree.Begin())
		must(t, "exit", tree.Exit(1010))
		must(t, "start a third process", tree.StartProcess(1012, "r", "/kubepods/pod1"))
		_, err = tree.Settle()
		must(t, "settle", err)
		shots = append(shots, snapshot(t, tree))
		held += heldFDs(tree)
	}
	var last *FS
	for i, a := range []func(string) error{act, nil, act} {
		tree, err := New(spec)
		must(t, "new tree", err)
		if i == 2 && tree.Dir() != last.Dir() {
			t.Fatalf("the third tree was not made in the second, kept (tainted %v)", last.tainted)
		}
		life(tree, a)
		must(t, "close", tree.Close())
		last = tree
	}
	return shots, held
}

// reads reads every regular file of a tree with its ReadFile, which reads
// through the descriptors it keeps where it may: each path with its
// content or error, sorted.
func reads(t *testing.T, tree *FS) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(tree.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		s, err := tree.ReadFile(path)
		lines = append(lines, fmt.Sprintf("%s %q %v", strings.TrimPrefix(path, tree.Dir()), s, err))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// heldFDs counts the descriptors a tree holds on its files.
func heldFDs(tree *FS) int {
	n := 0
	for _, h := range tree.hiers {
		for _, cg := range h.cgs {
			n += len(cg.fds)
		}
	}
	return n
}

// TestDescriptorsReachTheirFiles: a tree that reaches its files through
// the descriptors it keeps (rewrites inside and outside windows,
// read-backs, reads, the next tree's hand-over) holds on its disk and
// reads, at every point a reader can look, what a tree that opens every
// file by its path holds and reads, whatever the runtime did to the file
// in the window before.
func TestDescriptorsReachTheirFiles(t *testing.T) {
	for _, prof := range []string{"al2023-like", "al2-like"} {
		for _, file := range []string{"cgroup.procs", "pids.max"} {
			for _, act := range runtimeActs {
				t.Run(fmt.Sprintf("%s %s: the runtime %s", prof, file, act.name), func(t *testing.T) {
					spec := Spec{Profile: profile(t, prof)}
					run := func(descriptors bool) ([]string, int) {
						defer func(was bool) { keepDescriptors = was }(keepDescriptors)
						keepDescriptors = descriptors
						defer idle(t)()
						return descriptorsLife(t, spec, file, act.do)
					}
					want, byPath := run(false)
					got, held := run(true)
					if byPath != 0 || held == 0 {
						t.Fatalf("the trees held %d descriptors by path and %d with kept ones, want none and some", byPath, held)
					}
					samePoints(t, got, want, "with kept descriptors", "by paths")
				})
			}
		}
	}
}
