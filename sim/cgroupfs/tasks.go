package cgroupfs

import (
	"fmt"
	"slices"
)

// task is a thread on the node and the cgroup it is in in each hierarchy
// (indexed like FS.hiers).
type task struct {
	tid, tgid int
	name      string
	cg        []string
	// exiting marks a task in the middle of exiting (PF_EXITING): the
	// kernel skips it when migrating, so it stays where it is.
	exiting bool
}

func (fs *FS) task(tid int) *task {
	i, ok := slices.BinarySearchFunc(fs.tasks, tid, func(t *task, id int) int { return t.tid - id })
	if !ok {
		return nil
	}
	return fs.tasks[i]
}

func (fs *FS) addTask(t *task) error {
	i, ok := slices.BinarySearchFunc(fs.tasks, t.tid, func(x *task, id int) int { return x.tid - id })
	if ok {
		return fmt.Errorf("cgroupfs: task %d exists already", t.tid)
	}
	fs.tasks = slices.Insert(fs.tasks, i, t)
	fs.staleTask(t)
	return nil
}

func (fs *FS) hierIndex(h *hierarchy) int { return slices.Index(fs.hiers, h) }

// tasksIn lists the tasks of a cgroup (and its descendants when recursive),
// as TIDs or, with tgids, as sorted unique TGIDs.
func (fs *FS) tasksIn(h *hierarchy, rel string, recursive, tgids bool) []int {
	hi := fs.hierIndex(h)
	var out []int
	for _, t := range fs.tasks {
		at := t.cg[hi]
		if at != rel && !(recursive && isBelow(at, rel)) {
			continue
		}
		id := t.tid
		if tgids {
			id = t.tgid
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// isBelow reports whether path is a strict descendant of dir.
func isBelow(path, dir string) bool {
	if dir == "/" {
		return path != "/"
	}
	return len(path) > len(dir) && path[:len(dir)] == dir && path[len(dir)] == '/'
}

// StartProcess starts a process (its TGID is its PID) in the cgroup at in
// every hierarchy, as a service manager starting it there would.
func (fs *FS) StartProcess(pid int, name, at string) error {
	return fs.node(func() error {
		t := &task{tid: pid, tgid: pid, name: name, cg: make([]string, len(fs.hiers))}
		for i, h := range fs.hiers {
			if _, err := fs.mkdirCgroup(h, at); err != nil {
				return err
			}
			t.cg[i] = at
		}
		if err := fs.addTask(t); err != nil {
			return err
		}
		fs.dirty = true
		return nil
	})
}

// Fork starts a child process of parent: it begins in its parent's cgroups.
func (fs *FS) Fork(pid int, name string, parent int) error {
	return fs.node(func() error {
		p := fs.task(parent)
		if p == nil {
			return fmt.Errorf("cgroupfs: fork from %d: no such process", parent)
		}
		t := &task{tid: pid, tgid: pid, name: name, cg: slices.Clone(p.cg)}
		if err := fs.addTask(t); err != nil {
			return err
		}
		fs.dirty = true
		return nil
	})
}

// StartThread starts a thread of process tgid, in the cgroups of the thread
// that creates it (the process's main thread).
func (fs *FS) StartThread(tid, tgid int, name string) error {
	return fs.node(func() error {
		p := fs.task(tgid)
		if p == nil {
			return fmt.Errorf("cgroupfs: thread of %d: no such process", tgid)
		}
		if err := fs.addTask(&task{tid: tid, tgid: tgid, name: name, cg: slices.Clone(p.cg)}); err != nil {
			return err
		}
		fs.dirty = true
		return nil
	})
}

// Exit ends a process and all its threads; they leave every cgroup.
func (fs *FS) Exit(pid int) error {
	return fs.node(func() error {
		fs.endProcesses(func(tgid int) bool { return tgid == pid })
		fs.dirty = true
		return nil
	})
}

// endProcesses removes every thread of the processes end picks; they leave
// their cgroups, which are marked for the next render.
func (fs *FS) endProcesses(end func(tgid int) bool) {
	fs.tasks = slices.DeleteFunc(fs.tasks, func(t *task) bool {
		if !end(t.tgid) {
			return false
		}
		fs.staleTask(t)
		return true
	})
}

// SetExiting marks a process as exiting (or no longer): the kernel does not
// migrate an exiting task, and it still counts in its cgroup.
func (fs *FS) SetExiting(pid int, exiting bool) {
	fs.gen++
	for _, t := range fs.tasks {
		if t.tgid == pid {
			t.exiting = exiting
		}
	}
}

// Alive reports whether a task exists.
func (fs *FS) Alive(tid int) bool { return fs.task(tid) != nil }

// CgroupOf returns the cgroup a task is in in the hierarchy of controller
// ("" for the process-tracking hierarchy: cgroup2, or name=systemd on v1).
func (fs *FS) CgroupOf(tid int, controller string) (string, bool) {
	t := fs.task(tid)
	h := fs.hierarchyFor(controller)
	if t == nil || h == nil {
		return "", false
	}
	return t.cg[fs.hierIndex(h)], true
}

// MoveProcess moves a process into a cgroup in every hierarchy where that
// cgroup exists, as systemd does with a scope's PIDs.
func (fs *FS) MoveProcess(pid int, rel string) error {
	return fs.node(func() error {
		if fs.task(pid) == nil {
			return fmt.Errorf("cgroupfs: move %d: no such process", pid)
		}
		for _, h := range fs.hiers {
			if h.cgs[rel] != nil {
				fs.moveTasks(h, rel, pid, true) // as a write of pid to its cgroup.procs
			}
		}
		fs.dirty = true
		return nil
	})
}

// moveTasks applies a write of id to cgroup.procs (whole process) or to
// tasks/cgroup.threads (one thread) of rel in hierarchy h.
func (fs *FS) moveTasks(h *hierarchy, rel string, id int, process bool) {
	hi := fs.hierIndex(h)
	target := fs.task(id)
	moved := false
	for _, t := range fs.tasks {
		if t.exiting {
			continue
		}
		if t.tid == id || (process && target != nil && t.tgid == target.tgid) {
			h.staleUp(t.cg[hi])
			t.cg[hi] = rel
			moved = true
		}
	}
	if moved {
		h.staleUp(rel)
	}
}
