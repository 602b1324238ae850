package cgroupfs

import (
	"fmt"
	"slices"
	"strings"
)

// Exists reports whether a cgroup exists in any hierarchy.
func (fs *FS) Exists(rel string) bool {
	for _, h := range fs.hiers {
		if h.cgs[rel] != nil {
			return true
		}
	}
	return false
}

// Cgroups lists every cgroup as "hierarchy:path", sorted; the root of each
// hierarchy is left out.
func (fs *FS) Cgroups() []string {
	var out []string
	for _, h := range fs.hiers {
		for rel := range h.cgs {
			if rel != "/" {
				out = append(out, h.label()+":"+rel)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Controllers lists the controllers a runtime can use on the node: on v2
// those in the root's cgroup.controllers, on v1 those mounted.
func (fs *FS) Controllers() []string {
	var out []string
	for _, h := range fs.hiers {
		if h.v2 == (fs.spec.Mode == Unified) {
			out = append(out, h.ctrls...)
		}
	}
	return visible(out)
}

// Value returns what a cgroup's interface file reads in the hierarchy of
// controller, and whether the file exists there.
func (fs *FS) Value(rel, controller, file string) (string, bool) {
	h := fs.hierarchyFor(controller)
	if h == nil || h.cgs[rel] == nil {
		return "", false
	}
	f, ok := fs.lookupFile(h, h.cgs[rel], file)
	if !ok {
		return "", false
	}
	return strings.TrimSuffix(fs.content(h, h.cgs[rel], f), "\n"), true
}

// Dump renders the kernel state: each cgroup with its written values and
// tasks, one line each, sorted.
func (fs *FS) Dump() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cgroupfs %s\n", fs.spec.Profile)
	for _, h := range fs.hiers {
		for _, cg := range h.sortedCgroups() {
			var vals []string
			for k, v := range cg.values {
				vals = append(vals, k+"="+v)
			}
			slices.Sort(vals)
			fmt.Fprintf(&b, "%s:%s", h.label(), cg.rel)
			if h.v2 && len(cg.subtree) > 0 {
				fmt.Fprintf(&b, " subtree=[%s]", strings.Join(visible(cg.subtree), " "))
			}
			if len(vals) > 0 {
				fmt.Fprintf(&b, " %s", strings.Join(vals, " "))
			}
			if ts := fs.tasksIn(h, cg.rel, false, false); len(ts) > 0 {
				fmt.Fprintf(&b, " tasks=%v", ts)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Tasks lists the TIDs in a cgroup of the hierarchy of controller ("" for
// the process-tracking one), with its descendants when recursive.
func (fs *FS) Tasks(rel, controller string, recursive bool) []int {
	h := fs.hierarchyFor(controller)
	if h == nil {
		return nil
	}
	return fs.tasksIn(h, rel, recursive, false)
}

// SystemdTasks lists the TIDs in a cgroup as systemd sees them: in the
// cgroup2 hierarchy in unified and hybrid mode (hybrid systemd tracks
// processes there), in name=systemd in legacy mode.
func (fs *FS) SystemdTasks(rel string, recursive bool) []int {
	for _, h := range fs.hiers {
		if h.v2 {
			return fs.tasksIn(h, rel, recursive, false)
		}
	}
	return fs.Tasks(rel, "", recursive)
}

// Path is the directory of a cgroup in the hierarchy of controller ("" if
// the node has no such hierarchy).
func (fs *FS) Path(controller, rel string) string {
	h := fs.hierarchyFor(controller)
	if h == nil {
		return ""
	}
	return h.abs(rel)
}

// MountsV1 reports whether the node mounts a v1 hierarchy for a
// controller ("" for name=systemd), as its mount table says.
func (fs *FS) MountsV1(controller string) bool {
	h := fs.hierarchyFor(controller)
	return h != nil && !h.v2
}

// Values returns the written values of a cgroup's interface files in
// every hierarchy, by file name.
func (fs *FS) Values(rel string) map[string]string {
	out := map[string]string{}
	for _, h := range fs.hiers {
		if cg := h.cgs[rel]; cg != nil {
			for k, v := range cg.values {
				out[k] = v
			}
		}
	}
	return out
}

// SetValue writes an interface file on behalf of the node (an earlier run
// left a limit behind), in the hierarchy of controller.
func (fs *FS) SetValue(rel, controller, file, value string) error {
	return fs.node(func() error {
		h := fs.hierarchyFor(controller)
		if h == nil || h.cgs[rel] == nil {
			return fmt.Errorf("cgroupfs: no cgroup %s for %s", rel, controller)
		}
		canon, err := fs.canonical(h, h.cgs[rel], file, value)
		if err != nil {
			return fmt.Errorf("cgroupfs: %w", err)
		}
		h.setValue(h.cgs[rel], file, canon)
		fs.dirty = true
		return nil
	})
}

// Paths lists the cgroup paths that exist in any hierarchy, sorted, the
// roots left out.
func (fs *FS) Paths() []string {
	var out []string
	for _, h := range fs.hiers {
		for rel := range h.cgs {
			if rel != "/" && !slices.Contains(out, rel) {
				out = append(out, rel)
			}
		}
	}
	slices.Sort(out)
	return out
}
