package cgroupfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func inotifyFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("/proc/self/fd: %v", err)
	}
	n := 0
	for _, e := range ents {
		if target, _ := os.Readlink("/proc/self/fd/" + e.Name()); strings.Contains(target, "inotify") {
			n++
		}
	}
	return n
}

// TestPooledWatcherCarriesNothingOver: a tree closed in the middle of a
// window, with changes its kernel never settled, hands its inotify
// instance to the next tree, which sees none of them: it reads as a tree
// built with a new instance. CloseIdle then leaves no instance open.
func TestPooledWatcherCarriesNothingOver(t *testing.T) {
	if err := CloseIdle(); err != nil {
		t.Fatal(err)
	}
	before := inotifyFDs(t)
	spec := Spec{Profile: profile(t, "al2023-like")}
	freshFS := node(t, spec)
	fresh := freshFS.Dump()
	if err := freshFS.Close(); err != nil {
		t.Fatal(err)
	}

	first, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	w := first.w
	if err := first.Begin(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(first.Mountpoint(), "kubepods", "stale"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(first.Mountpoint(), "cgroup.subtree_control"), []byte("+memory"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := node(t, spec)
	if second.w != w {
		t.Fatal("the second tree did not take the first one's pooled watcher")
	}
	if err := second.Begin(); err != nil {
		t.Fatal(err)
	}
	if refusals := settle(t, second); len(refusals) != 0 {
		t.Fatalf("an empty window on the second tree was refused: %v", refusals)
	}
	if got := second.Dump(); got != fresh {
		t.Fatalf("the tree with a pooled watcher differs from one with a new watcher:\n%s\nwant\n%s", got, fresh)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if err := CloseIdle(); err != nil {
		t.Fatal(err)
	}
	if after := inotifyFDs(t); after != before {
		t.Fatalf("%d inotify instances open after CloseIdle, %d before", after, before)
	}
}
