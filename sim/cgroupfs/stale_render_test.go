package cgroupfs

import (
	"fmt"
	"os"
	"testing"
)

// TestRenderingOnlyStaleCgroups: a tree that renders only the cgroups
// whose state changed since their last render holds, at every point a
// reader can look, what a tree that renders every cgroup every time holds,
// in its kernel state and on its disk: after random node lives with
// runtime writes, the real library's life of a sandbox (limits, moves,
// refusals, removal), their replays with the kernel's answers they learned,
// and runtime acts on files the node changes.
func TestRenderingOnlyStaleCgroups(t *testing.T) {
	seeds := 30
	if testing.Short() {
		seeds = 6
	}
	type life struct {
		name string
		run  func(t *testing.T) []string
	}
	var lives []life
	for _, prof := range []string{"al2023-like", "al2-like", "ubuntu20.04-like", "debian10-like"} {
		spec := Spec{Profile: profile(t, prof)}
		for seed := range uint64(seeds) {
			lives = append(lives, life{fmt.Sprintf("%s random life %d", prof, seed), func(t *testing.T) []string {
				tree, err := New(spec)
				if err != nil {
					t.Fatal(err)
				}
				defer tree.Close()
				return randomLife(t, tree, seed)
			}}, life{fmt.Sprintf("%s random life %d replayed with what it learned", prof, seed), func(t *testing.T) []string {
				first, err := New(spec)
				if err != nil {
					t.Fatal(err)
				}
				randomLife(t, first, seed)
				plan := first.Learned()
				if err := first.Close(); err != nil {
					t.Fatal(err)
				}
				tree, err := New(spec)
				if err != nil {
					t.Fatal(err)
				}
				defer tree.Close()
				tree.SetPlan(plan)
				return randomLife(t, tree, seed)
			}})
		}
		for _, keep := range []bool{false, true} {
			lives = append(lives, life{fmt.Sprintf("%s library life, sandbox left %v", prof, keep), func(t *testing.T) []string {
				tree, err := New(spec)
				if err != nil {
					t.Fatal(err)
				}
				defer tree.Close()
				return useTree(t, tree, "/kubepods/sb", keep)
			}})
		}
		lives = append(lives, life{prof + ": the runtime enables and disables controllers above a cgroup", func(t *testing.T) []string {
			return subtreeLife(t, spec)
		}})
		for _, act := range runtimeActs {
			lives = append(lives, life{fmt.Sprintf("%s: the runtime %s", prof, act.name), func(t *testing.T) []string {
				shots, _ := descriptorsLife(t, spec, "cgroup.procs", act.do)
				return shots
			}})
		}
	}
	for _, l := range lives {
		t.Run(l.name, func(t *testing.T) {
			run := func(every bool) []string {
				defer func(was bool) { renderEveryCgroup = was }(renderEveryCgroup)
				renderEveryCgroup = every
				defer idle(t)()
				return l.run(t)
			}
			want, got := run(true), run(false)
			samePoints(t, got, want, "rendering only stale cgroups", "rendering every cgroup")
		})
	}
}

// subtreeLife: the runtime enables controllers for the children of a
// cgroup that has one, limits its CPUs, then disables a controller; the
// child's files follow.
func subtreeLife(t *testing.T, spec Spec) []string {
	t.Helper()
	tree, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	var shots []string
	for _, step := range []func() error{
		func() error { return tree.Mkdir("/a", tree.Controllers()) },
		func() error { return tree.Mkdir("/a/b", nil) },
		tree.Begin,
		func() error {
			return os.WriteFile(tree.Path("", "/a")+"/cgroup.subtree_control", []byte("+pids +memory +cpuset"), 0o644)
		},
		func() error { _, err := tree.Settle(); return err },
		tree.Begin,
		func() error { return os.WriteFile(tree.Path("cpuset", "/a")+"/cpuset.cpus", []byte("1-2"), 0o644) },
		func() error { _, err := tree.Settle(); return err },
		tree.Begin,
		func() error {
			return os.WriteFile(tree.Path("", "/a")+"/cgroup.subtree_control", []byte("-pids"), 0o644)
		},
		func() error { _, err := tree.Settle(); return err },
		tree.Flush,
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
		shots = append(shots, tree.Dump()+snapshot(t, tree))
	}
	return shots
}
