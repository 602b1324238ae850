package cgroupfs

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// randomLife runs a node's life drawn from seed on a tree: the node makes
// and removes cgroups of a few names (pods, a unit), starts processes in
// them and ends them, and in windows the runtime makes a cgroup below one
// (with its own mode bits),
// writes a limit, removes its cgroup. It returns the kernel state and the
// disk at each point a reader can look.
func randomLife(t *testing.T, tree *FS, seed uint64) []string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	names := []string{"/kubepods/podA", "/kubepods/podB", "/kubepods/podC", "/kubepods/podA/c1",
		"/kubepods/podB/c2", "/system.slice/x.scope", "/system.slice/y.scope"}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %d: %s: %v", seed, what, err)
		}
	}
	look := func() string { return tree.Dump() + snapshot(t, tree) }
	var shots []string
	var live []int
	pid := 2000
	must("make /kubepods", tree.Mkdir("/kubepods", tree.Controllers()))
	for i := range 14 {
		switch rng.IntN(8) {
		case 0, 1:
			var enable []string
			if rng.IntN(2) == 0 {
				enable = tree.Controllers()
			}
			must("mkdir", tree.Mkdir(names[rng.IntN(len(names))], enable))
		case 2:
			cgs := tree.Paths()
			pid++
			must("start", tree.StartProcess(pid, "p", cgs[rng.IntN(len(cgs))]))
			live = append(live, pid)
		case 3:
			if len(live) > 0 {
				i := rng.IntN(len(live))
				must("exit", tree.Exit(live[i]))
				live = slices.Delete(live, i, i+1)
			}
		case 6:
			live = slices.DeleteFunc(live, func(pid int) bool { return !tree.Alive(pid) }) // cgroup.kill
			if len(live) > 0 {
				cgs := tree.Paths()
				must("move", tree.MoveProcess(live[rng.IntN(len(live))], cgs[rng.IntN(len(cgs))]))
			}
		case 7:
			cgs := tree.Paths()
			// May fail (no pids controller there), which the tree takes
			// as its own failure: both trees compared fail alike.
			_ = tree.SetValue(cgs[rng.IntN(len(cgs))], "pids", "pids.max", fmt.Sprint(rng.IntN(50)+1))
		case 4:
			rel := names[rng.IntN(len(names))]
			if tree.Exists(rel) && len(tree.Tasks(rel, "", true)) == 0 {
				must("remove", tree.Remove(rel))
			}
		case 5:
			if i < 3 {
				continue
			}
			must("begin", tree.Begin())
			cgs := tree.Paths()
			rel := cgs[rng.IntN(len(cgs))]
			dir := tree.Path("", rel)
			switch rng.IntN(7) {
			case 0:
				if _, err := os.Lstat(dir + "/pod0"); err != nil {
					must("the runtime's mkdir", os.Mkdir(dir+"/pod0", 0o750))
				}
			case 1:
				// A write may fail: a replay's plan makes refused files
				// refuse at once.
				_ = os.WriteFile(dir+"/pids.max", []byte(fmt.Sprint(rng.IntN(100)+1)), 0o644)
			case 2:
				if tree.Exists(rel+"/pod0") && len(tree.Tasks(rel+"/pod0", "", true)) == 0 {
					must("the runtime's removal", os.RemoveAll(dir+"/pod0"))
					// The node starts nothing in a cgroup the runtime
					// removed in the window.
					cgs = slices.DeleteFunc(cgs, func(c string) bool { return c == rel+"/pod0" || isBelow(c, rel+"/pod0") })
				}
			case 3:
				_ = os.WriteFile(dir+"/cpuset.cpus", []byte([]string{"0", "0-1", "1-3"}[rng.IntN(3)]), 0o644)
			case 4:
				_ = os.WriteFile(dir+"/cgroup.subtree_control", []byte([]string{"+pids", "-pids", "+cpuset"}[rng.IntN(3)]), 0o644)
			case 5:
				_ = os.WriteFile(dir+"/cgroup.kill", []byte("1"), 0o644)
			case 6:
				// rmdir of a cgroup with tasks: the kernel refuses it.
				leaf := !slices.ContainsFunc(cgs, func(c string) bool { return isBelow(c, rel) })
				if rel != "/" && leaf && len(tree.Tasks(rel, "", false)) > 0 {
					_ = os.RemoveAll(dir)
					cgs = slices.DeleteFunc(cgs, func(c string) bool { return c == rel })
				}
			}
			if rng.IntN(2) == 0 && len(cgs) > 0 {
				pid++
				must("start", tree.StartProcess(pid, "q", cgs[rng.IntN(len(cgs))]))
				live = append(live, pid)
			}
			refusals, err := tree.Settle()
			must("settle", err)
			shots = append(shots, fmt.Sprint(refusals))
		}
		if i < 3 {
			continue // the node is set up before anyone looks
		}
		must("flush", tree.Flush())
		shots = append(shots, look())
	}
	return shots
}

// TestRecycledTreeReadsAsANewOne: a tree made in a kept one, whose node's
// cgroups it moves to where it makes its own (recycle), holds what a new
// tree holds, in its kernel state and on its disk, at every point a reader
// can look, after random lives of the two nodes. Every second tree is made
// in the kept one; whether it recycles a directory depends on the lives
// (some make none beside the last node's), so each pair of nodes must have
// recycled some over its seeds, and taken back some the first sweep set
// aside (recycleSpare).
func TestRecycledTreeReadsAsANewOne(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	for _, pair := range [][2]string{{"al2023-like", "debian11-like"}, {"al2-like", "legacy4.19-like"}, {"ubuntu20.04-like", "ubuntu20.04-like"}} {
		recycled, takenBack := 0, 0
		for seed := range uint64(seeds) {
			t.Run(fmt.Sprintf("%s then %s seed %d", pair[0], pair[1], seed), func(t *testing.T) {
				defer idle(t)()
				life := func(name string, seed uint64) ([]string, *FS) {
					tree, err := New(Spec{Profile: profile(t, name)})
					if err != nil {
						t.Fatal(err)
					}
					shots := randomLife(t, tree, seed)
					if err := tree.Close(); err != nil {
						t.Fatal(err)
					}
					return shots, tree
				}
				_, first := life(pair[0], 1000+seed)
				got, reused := life(pair[1], seed)
				if reused.Dir() != first.Dir() {
					t.Fatalf("the second tree was not made in the first, kept (tainted %v)", first.tainted)
				}
				recycled += reused.recycled
				takenBack += reused.takenBack
				if err := CloseIdle(); err != nil {
					t.Fatal(err)
				}
				want, _ := life(pair[1], seed)
				samePoints(t, got, want, "the tree made in a kept one holds", "as a new tree")
			})
		}
		t.Logf("%s then %s: %d directories recycled, %d set aside taken back", pair[0], pair[1], recycled, takenBack)
		if recycled == 0 {
			t.Errorf("%s then %s: no tree recycled a directory of the kept one", pair[0], pair[1])
		}
		if takenBack == 0 {
			t.Errorf("%s then %s: no tree took back a directory set aside", pair[0], pair[1])
		}
	}
}
