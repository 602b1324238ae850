package cgroupfs

import (
	"slices"
	"testing"
)

// TestFileSetsFollowTheControllers: the file sets a tree caches are
// those computed afresh for every cgroup, whatever controllers (and in
// whatever order) its parent enables, on every node; cgroups of one
// depth with different controllers get different sets.
func TestFileSetsFollowTheControllers(t *testing.T) {
	layouts := []struct {
		rel    string
		enable []string
	}{
		{"/a/x", []string{"memory"}},
		{"/b/y", []string{"cpu", "pids"}},
		{"/c/z", []string{"pids", "cpu"}},
		{"/b/y/w", []string{"memory", "pids"}},
	}
	for _, p := range Profiles() {
		t.Run(p.Name, func(t *testing.T) {
			fs := node(t, Spec{Profile: p})
			check := func(when string) {
				t.Helper()
				for _, h := range fs.hiers {
					for _, cg := range h.sortedCgroups() {
						got := fs.fileSet(h, cg)
						want := fs.facts.computeSet(h.v2, cg.rel == "/", fs.enabled(h, cg))
						if !slices.Equal(got, want) {
							t.Fatalf("%s: %s:%s has files %v, want %v", when, h.label(), cg.rel, names(got), names(want))
						}
					}
				}
			}
			check("fresh")
			for _, l := range layouts {
				if err := fs.Mkdir(l.rel, l.enable); err != nil {
					t.Fatal(err)
				}
				check("after " + l.rel)
			}
		})
	}
}

func names(set []fileFact) []string {
	out := make([]string, len(set))
	for i, f := range set {
		out[i] = f.name
	}
	return out
}
