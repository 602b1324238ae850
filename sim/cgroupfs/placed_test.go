package cgroupfs

import (
	"fmt"
	"os"
	"testing"
)

// TestRemovedPreCreatedCgroupKeepsTheTree: a tree where the runtime
// removed a cgroup a plan pre-created (its link) holds what its kernel
// state says and is kept, and the tree made in it reads as a new one; a
// file of a cgroup removed in the same window still keeps the tree from
// being kept.
func TestRemovedPreCreatedCgroupKeepsTheTree(t *testing.T) {
	for _, prof := range []string{"al2023-like", "al2-like"} {
		for _, removeFile := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, a file removed too %v", prof, removeFile), func(t *testing.T) {
				t.Cleanup(idle(t))
				spec := Spec{Profile: profile(t, prof)}
				first := node(t, spec)
				h := first.hierarchyFor("pids")
				first.SetPlan(Plan{Entries: []PlanEntry{{Window: 0, Hier: h.label(), Path: "/kubepods/x"}}})
				must(t, "begin", first.Begin())
				link := first.Path("pids", "/kubepods/x")
				if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
					t.Fatalf("the plan placed no link at %s: %v", link, err)
				}
				must(t, "the runtime removes the cgroup", os.Remove(link))
				if removeFile {
					must(t, "the runtime removes a file", os.Remove(first.Path("pids", "/kubepods")+"/pids.max"))
				}
				_, err := first.Settle()
				must(t, "settle", err)
				if first.Exists("/kubepods/x") {
					t.Fatal("the removed cgroup is still in the kernel state")
				}
				if first.tainted != removeFile {
					t.Fatalf("tainted %v, want %v", first.tainted, removeFile)
				}
				must(t, "close", first.Close())
				if removeFile {
					return
				}
				reused, err := New(spec)
				must(t, "new tree", err)
				if reused.Dir() != first.Dir() {
					t.Fatal("the next tree was not made in the kept one")
				}
				got := useTree(t, reused, "/kubepods/sb", false)
				must(t, "close", reused.Close())
				must(t, "close idle", CloseIdle())
				fresh, err := New(spec)
				must(t, "new tree", err)
				want := useTree(t, fresh, "/kubepods/sb", false)
				must(t, "close", fresh.Close())
				samePoints(t, got, want, "the kept tree holds", "as a new tree")
			})
		}
	}
}
