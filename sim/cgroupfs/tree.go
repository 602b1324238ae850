package cgroupfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
	slices.SortFunc(out, func(a, b *cgroup) int {
		if d := depth(a.rel) - depth(b.rel); d != 0 {
			return d
		}
		return strings.Compare(a.rel, b.rel)
	})
	return out
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
	if err := fs.w.add(h.abs(rel)); err != nil {
		return nil, err
	}
	if err := fs.render(h, cg); err != nil {
		return cg, err
	}
	if spared {
		// What the cgroup did not claim goes before anyone looks.
		return cg, fs.sweepSpare()
	}
	return cg, nil
}

// render writes the materialised files of a cgroup whose content changed.
func (fs *FS) render(h *hierarchy, cg *cgroup) error {
	set := fs.fileSet(h, cg)
	dir := h.abs(cg.rel)
	for _, f := range set {
		_, written := cg.values[f.name]
		if (!f.mat && !written) || fs.isTrapped(h, cg.rel, f.name) {
			continue
		}
		content := fs.content(h, cg, f)
		old, ok := cg.rendered[f.name]
		// A file that reads the same but for surrounding whitespace (the
		// runtime wrote "100", the kernel shows "100\n") is left alone:
		// readers trim it.
		if (ok && strings.TrimSpace(old) == strings.TrimSpace(content)) || (!ok && content == "" && !written) {
			// An empty file is left out until it has content: readers of
			// the library walk for cgroup.procs and treat a missing one
			// as empty, and a write creates it.
			continue
		}
		// Outside a window only the kernel writes: the file holds what
		// was rendered (or read back from the runtime's write) last, and
		// a descriptor kept open reaches it (the runtime's removals of
		// files are taken in when its window is settled). Inside one it
		// may hold what the runtime wrote (it is cut to the content),
		// and a kept descriptor reaches it while the window removed and
		// renamed nothing (fdsReach).
		path := dir + "/" + f.name
		kept, err := fs.claim(path, keptFile)
		fd, hasFD := cg.fds[f.name]
		hasFD = hasFD && keepDescriptors
		switch {
		case err != nil:
		case kept != nil && kept.fd >= 0 && keepDescriptors:
			// The kept tree's descriptor reaches its file.
			cg.keepFD(f.name, kept.fd)
			kept.fd = -1
			if kept.content != content {
				if err = rewriteAt(cg.fds[f.name], content, kept.content, true); err != nil {
					err = fmt.Errorf("cgroupfs: render %s: %w", path, err)
				}
			}
		case kept != nil && kept.content == content:
			// The kept tree's file already holds it.
		case kept != nil:
			err = cg.writeOpen(f.name, path, content, kept.content, true)
		case hasFD && (!fs.open || fs.fdsReach):
			if err = rewriteAt(fd, content, old, ok && !fs.open); err != nil {
				err = fmt.Errorf("cgroupfs: render %s: %w", path, err)
			}
		default:
			err = cg.writeOpen(f.name, path, content, old, ok && !fs.open)
		}
		if err != nil {
			return err
		}
		fs.gen++
		cg.rendered[f.name] = content
	}
	// Files the cgroup no longer has (a controller was disabled) go away.
	for name := range cg.rendered {
		if !slices.ContainsFunc(set, func(f fileFact) bool { return f.name == name }) {
			cg.dropFD(name)
			if err := os.Remove(dir + "/" + name); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("cgroupfs: %w", err)
			}
			delete(cg.rendered, name)
			delete(cg.values, name)
		}
	}
	cg.clean = true
	return nil
}

// renderAll re-renders every cgroup whose state changed since its last
// render (only changed files are written), parents first.
func (fs *FS) renderAll() error {
	for _, h := range fs.hiers {
		if !renderEveryCgroup && !h.anyStale() {
			continue
		}
		for _, cg := range h.sortedCgroups() {
			if cg.clean && !renderEveryCgroup {
				continue
			}
			if err := fs.render(h, cg); err != nil {
				return err
			}
		}
	}
	return nil
}

// renderEveryCgroup makes renderAll render clean cgroups too; tests turn
// it on to compare with a tree that recomputes every file every time.
var renderEveryCgroup = false

// anyStale reports whether a cgroup of the hierarchy is to be rendered.
func (h *hierarchy) anyStale() bool {
	for _, cg := range h.cgs {
		if !cg.clean {
			return true
		}
	}
	return false
}

// stale marks a cgroup for the next render, with its descendants when
// below (their enabled controllers or effective cpusets follow it).
func (h *hierarchy) stale(rel string, below bool) {
	if cg := h.cgs[rel]; cg != nil {
		cg.clean = false
	}
	if below {
		for r, cg := range h.cgs {
			if isBelow(r, rel) {
				cg.clean = false
			}
		}
	}
}

// staleUp marks a cgroup and its ancestors for the next render: their
// files count the tasks below them.
func (h *hierarchy) staleUp(rel string) {
	for r := rel; r != ""; r = parentRel(r) {
		if cg := h.cgs[r]; cg != nil {
			cg.clean = false
		}
	}
}

// staleTask marks the cgroups a task is in, in every hierarchy, and their
// ancestors: called before and after it moves, and when it comes or goes.
func (fs *FS) staleTask(t *task) {
	for i, h := range fs.hiers {
		h.staleUp(t.cg[i])
	}
}

// content computes what a file reads: a written value, or what the kernel
// computes, or the default of a fresh cgroup.
func (fs *FS) content(h *hierarchy, cg *cgroup, f fileFact) string {
	if v, ok := cg.values[f.name]; ok {
		return v + "\n"
	}
	switch f.name {
	case "cgroup.controllers":
		return strings.Join(visible(fs.enabled(h, cg)), " ") + "\n"
	case "cgroup.subtree_control":
		return strings.Join(visible(cg.subtree), " ") + "\n"
	case "cgroup.procs":
		return lines(fs.tasksIn(h, cg.rel, false, true))
	case "cgroup.threads", "tasks":
		return lines(fs.tasksIn(h, cg.rel, false, false))
	case "cgroup.events":
		populated := 0
		if len(fs.tasksIn(h, cg.rel, true, false)) > 0 {
			populated = 1
		}
		s := fmt.Sprintf("populated %d\n", populated)
		if has(fs.spec.Kernel, "5.2") {
			s += "frozen 0\n"
		}
		return s
	case "pids.current":
		return fmt.Sprintf("%d\n", len(fs.tasksIn(h, cg.rel, true, false)))
	case "cpuset.cpus.effective", "cpuset.effective_cpus":
		return fs.effective(h, cg, "cpuset.cpus", cpuList(fs.spec.CPUs)) + "\n"
	case "cpuset.mems.effective", "cpuset.effective_mems":
		return fs.effective(h, cg, "cpuset.mems", cpuList(fs.spec.Mems)) + "\n"
	case "cpuset.cpus":
		if cg.rel == "/" {
			return cpuList(fs.spec.CPUs) + "\n"
		}
	case "cpuset.mems":
		if cg.rel == "/" {
			return cpuList(fs.spec.Mems) + "\n"
		}
	}
	// File sets end every default with a newline (computeSet).
	return f.def
}

// effective is a cpuset's effective list: its own when set, else its
// parent's, the root's being every online CPU or node.
func (fs *FS) effective(h *hierarchy, cg *cgroup, file, all string) string {
	for rel := cg.rel; rel != ""; rel = parentRel(rel) {
		c := h.cgs[rel]
		if c == nil {
			break
		}
		if v := c.values[file]; v != "" {
			return v
		}
	}
	return all
}

func visible(ctrls []string) []string {
	var out []string
	for _, c := range controllers {
		if slices.Contains(ctrls, c.name) && v2Visible(c.name) {
			out = append(out, c.name)
		}
	}
	return out
}

func lines(ns []int) string {
	if len(ns) == 0 {
		return ""
	}
	b := make([]byte, 0, 8*len(ns))
	for _, n := range ns {
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, '\n')
	}
	return string(b)
}

// cpuList renders 0..n-1 as the kernel's list format ("0-3", "0").
func cpuList(n int) string {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return "0"
	}
	return fmt.Sprintf("0-%d", n-1)
}
