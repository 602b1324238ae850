package cgroupfs

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

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
		// renamed nothing (fs.removed, collected by the node's changes and
		// reset as a window opens).
		path := dir + "/" + f.name
		kept, err := fs.claim(path, keptFile)
		fd, hasFD := cg.fds[f.name]
		switch {
		case err != nil:
		case kept != nil && kept.fd >= 0:
			// The kept tree's descriptor reaches its file.
			if kept.content != content {
				if err = rewriteAt(kept.fd, content, kept.content, exactlyOld); err != nil {
					err = fmt.Errorf("cgroupfs: render %s: %w", path, err)
				}
			}
			cg.keepFD(f.name, kept.fd)
			kept.fd = -1
		case kept != nil && kept.content == content:
			// The kept tree's file already holds it.
		case kept != nil:
			err = cg.writeOpen(f.name, path, content, kept.content, true)
		case hasFD && (!fs.open || !fs.removed):
			held := unknownContent
			if ok && !fs.open {
				held = exactlyOld
			}
			if err = rewriteAt(fd, content, old, held); err != nil {
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
		for _, cg := range h.toRender() {
			if err := fs.render(h, cg); err != nil {
				return err
			}
		}
	}
	return nil
}

// toRender lists the cgroups whose state changed since their last render
// (every cgroup with renderEveryCgroup), parents first. Rendering a cgroup
// marks no other, so the list holds while renderAll goes through it.
func (h *hierarchy) toRender() []*cgroup {
	var out []*cgroup
	for _, cg := range h.cgs {
		if !cg.clean || renderEveryCgroup {
			out = append(out, cg)
		}
	}
	sortCgroups(out)
	return out
}

// renderEveryCgroup makes renderAll render clean cgroups too; tests turn
// it on to compare with a tree that recomputes every file every time.
var renderEveryCgroup = false

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
