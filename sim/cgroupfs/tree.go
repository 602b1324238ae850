package cgroupfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// hierarchy is one mounted cgroup hierarchy: the cgroup2 tree, or one v1
// tree with its controllers (or name=systemd).
type hierarchy struct {
	// name is the directory under the mount point ("" for cgroup2 in
	// unified mode, "unified" in hybrid, "cpu,cpuacct", "systemd", ...).
	name string
	dir  string
	v2   bool
	// ctrls are the controllers bound: on v2 those the root offers, on v1
	// those mounted here (none for name=systemd and hybrid's unified).
	ctrls []string
	cgs   map[string]*cgroup
}

// cgroup is the kernel's state of one cgroup of a hierarchy.
type cgroup struct {
	rel string
	// runtime is true for a cgroup the runtime made with mkdir.
	runtime bool
	// subtree are the controllers enabled in cgroup.subtree_control (v2).
	subtree []string
	// values are the accepted values of written interface files, canonical.
	values map[string]string
	// rendered is what the tree holds in each materialised file, as last written.
	rendered map[string]string
	// made are the files the runtime created (with its own mode bits).
	made map[string]bool
	// clean is set when the files hold what the cgroup's state renders
	// to; anything that may change it (values, controllers, tasks in it
	// or below, a file read back or trapped) clears it (stale).
	clean bool
	// fds are descriptors of rendered files, open for reading and
	// writing, kept for the next rewrite and read-back until the file or
	// the cgroup goes (dropFD), or handed to the next tree with a kept one.
	fds map[string]int
}

func (h *hierarchy) label() string {
	switch {
	case h.name == "":
		return "cgroup2"
	case h.name == "unified":
		return "cgroup2(unified)"
	}
	return h.name
}

func parentRel(rel string) string {
	if rel == "/" {
		return ""
	}
	p := filepath.Dir(rel)
	return p
}

func (h *hierarchy) abs(rel string) string {
	if rel == "/" {
		return h.dir
	}
	return h.dir + rel
}

// children returns the direct children of rel, sorted.
func (h *hierarchy) children(rel string) []*cgroup {
	var out []*cgroup
	for _, cg := range h.cgs {
		if cg.rel != "/" && parentRel(cg.rel) == rel {
			out = append(out, cg)
		}
	}
	slices.SortFunc(out, func(a, b *cgroup) int { return strings.Compare(a.rel, b.rel) })
	return out
}

// sortedCgroups returns the hierarchy's cgroups parents first.
func (h *hierarchy) sortedCgroups() []*cgroup {
	out := make([]*cgroup, 0, len(h.cgs))
	for _, cg := range h.cgs {
		out = append(out, cg)
	}
	sortCgroups(out)
	return out
}

// sortCgroups sorts cgroups parents first, then by path.
func sortCgroups(cgs []*cgroup) {
	slices.SortFunc(cgs, func(a, b *cgroup) int {
		if d := depth(a.rel) - depth(b.rel); d != 0 {
			return d
		}
		return strings.Compare(a.rel, b.rel)
	})
}

// depth is 0 for the root, 1 for /a, 2 for /a/b.
func depth(rel string) int {
	if rel == "/" {
		return 0
	}
	return strings.Count(rel, "/")
}

// enabled lists the controllers whose files a cgroup has: on v2 the root's
// available ones for the root and the parent's subtree_control otherwise;
// on v1 the hierarchy's controllers.
func (fs *FS) enabled(h *hierarchy, cg *cgroup) []string {
	if !h.v2 {
		return h.ctrls
	}
	if cg.rel == "/" {
		return h.ctrls
	}
	if p := h.cgs[parentRel(cg.rel)]; p != nil {
		return p.subtree
	}
	return nil
}

// lookupFile finds a file of a cgroup by name.
func (fs *FS) lookupFile(h *hierarchy, cg *cgroup, name string) (fileFact, bool) {
	for _, f := range fs.fileSet(h, cg) {
		if f.name == name {
			return f, true
		}
	}
	return fileFact{}, false
}

// newHierarchies lays out the node's mounts for its mode.
func (fs *FS) newHierarchies() {
	mk := func(name string, v2 bool, ctrls []string) {
		dir := fs.mount
		if name != "" {
			dir = filepath.Join(fs.mount, name)
		}
		fs.hiers = append(fs.hiers, &hierarchy{name: name, dir: dir, v2: v2, ctrls: ctrls, cgs: map[string]*cgroup{}})
	}
	if fs.spec.Mode == Unified {
		mk("", true, fs.spec.v2Available())
		return
	}
	mounted := fs.spec.v1Mounted()
	// systemd co-mounts cpu with cpuacct and net_cls with net_prio.
	pairs := [][2]string{{"cpu", "cpuacct"}, {"net_cls", "net_prio"}}
	done := map[string]bool{}
	for _, c := range mounted {
		if done[c] {
			continue
		}
		group := []string{c}
		for _, p := range pairs {
			if p[0] == c && slices.Contains(mounted, p[1]) {
				group = append(group, p[1])
			}
		}
		for _, g := range group {
			done[g] = true
		}
		mk(strings.Join(group, ","), false, group)
	}
	mk("systemd", false, nil)
	if fs.spec.Mode == Hybrid {
		mk("unified", true, nil)
	}
}

// hierarchyFor returns the hierarchy a controller is in ("" for the
// hierarchy that tracks processes: cgroup2, or name=systemd on v1).
func (fs *FS) hierarchyFor(controller string) *hierarchy {
	for _, h := range fs.hiers {
		if controller == "" {
			if (fs.spec.Mode == Unified && h.v2) || (fs.spec.Mode != Unified && h.name == "systemd") {
				return h
			}
			continue
		}
		if slices.Contains(h.ctrls, controller) && (h.v2 == (fs.spec.Mode == Unified)) {
			return h
		}
	}
	return nil
}

// mkdirCgroup creates a cgroup directory on behalf of the node and renders it.
func (fs *FS) mkdirCgroup(h *hierarchy, rel string) (*cgroup, error) {
	if cg := h.cgs[rel]; cg != nil {
		return cg, nil
	}
	if rel != "/" {
		if _, err := fs.mkdirCgroup(h, parentRel(rel)); err != nil {
			return nil, err
		}
	}
	spared := rel != "/" && fs.recycleSpare(h.abs(rel))
	if !spared {
		if err := fs.mkdir(h.abs(rel)); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("cgroupfs: mkdir %s: %w", h.abs(rel), err)
		}
	}
	cg := &cgroup{rel: rel, values: map[string]string{}, rendered: map[string]string{}}
	h.cgs[rel] = cg
	err := fs.w.add(h.abs(rel))
	if err == nil {
		err = fs.render(h, cg)
	}
	if spared {
		// What the cgroup did not claim goes before anyone looks, also
		// when watching or rendering it failed.
		err = errors.Join(err, fs.sweepSpare())
	}
	return cg, err
}
