package cgroupfs

import (
	"os"
	"testing"
)

// TestSettleLeavesNothingToTheNextWindow: what settle does to the tree
// (files rewritten as the kernel shows them, files of a disabled
// controller removed, a new cgroup's files written) is not taken for the
// runtime's in the next window, where the runtime does nothing: the
// kernel state stays, nothing is refused, and the tree stays fit to keep.
func TestSettleLeavesNothingToTheNextWindow(t *testing.T) {
	defer idle(t)()
	tree := node(t, Spec{Profile: profile(t, "al2023-like")})
	must(t, "make /kubepods/a/b", tree.Mkdir("/kubepods/a/b", []string{"pids", "memory"}))
	dir := tree.Path("", "/kubepods/a")
	for _, act := range []func() error{
		func() error { return os.Mkdir(dir+"/c", 0o755) },
		func() error { return os.WriteFile(dir+"/b/pids.max", []byte("10"), 0o644) },
		func() error { return os.WriteFile(dir+"/cgroup.subtree_control", []byte("-pids"), 0o644) },
	} {
		must(t, "begin", tree.Begin())
		must(t, "the runtime's act", act())
		_, err := tree.Settle()
		must(t, "settle", err)
		before := tree.Dump()
		must(t, "begin", tree.Begin())
		refusals, err := tree.Settle()
		must(t, "settle", err)
		if len(refusals) != 0 || tree.Dump() != before || tree.tainted {
			t.Fatalf("a window where the runtime did nothing: refusals %v, tainted %v, kernel state\n%s\nwant\n%s", refusals, tree.tainted, tree.Dump(), before)
		}
	}
}
