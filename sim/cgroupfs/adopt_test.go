package cgroupfs

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestAdoptTakesInDirectoriesOnly: of the directories the runtime makes in
// a window, settle takes in as cgroups those still directories when it
// runs, with the directories made inside them, and not one
// removed again, or replaced by a link (to a cgroup) or by a file.
func TestAdoptTakesInDirectoriesOnly(t *testing.T) {
	for _, prof := range []string{"al2023-like", "al2-like"} {
		t.Run(prof, func(t *testing.T) {
			defer idle(t)()
			tree := node(t, Spec{Profile: profile(t, prof)})
			if err := tree.Flush(); err != nil {
				t.Fatal(err)
			}
			dir := tree.Path("pids", "/kubepods")
			must(t, "begin", tree.Begin())
			must(t, "mkdir a/b", os.MkdirAll(dir+"/a/b", 0o755))
			must(t, "write in a/b", os.WriteFile(dir+"/a/b/cgroup.procs", []byte("900"), 0o644))
			for _, name := range []string{"gone", "link", "file"} {
				must(t, "mkdir "+name, os.Mkdir(dir+"/"+name, 0o755))
				must(t, "rmdir "+name, os.Remove(dir+"/"+name))
			}
			must(t, "link", os.Symlink(dir+"/a", dir+"/link"))
			must(t, "file", os.WriteFile(dir+"/file", nil, 0o644))
			_, err := tree.Settle()
			must(t, "settle", err)
			h := tree.hierarchyFor("pids")
			var got []string
			for _, cg := range tree.Cgroups() {
				if strings.HasPrefix(cg, h.label()+":/kubepods/") {
					got = append(got, cg)
				}
			}
			want := []string{h.label() + ":/kubepods/a", h.label() + ":/kubepods/a/b"}
			if !slices.Equal(got, want) {
				t.Fatalf("cgroups below /kubepods %v, want %v", got, want)
			}
		})
	}
}
