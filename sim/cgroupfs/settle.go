package cgroupfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Refusal is a write the kernel refused in a window.
type Refusal struct {
	Window int
	Path   string
	Errno  string
	Msg    string
}

// String renders the refusal as a kernel error would read.
func (r Refusal) String() string { return fmt.Sprintf("write %s: %s (%s)", r.Path, r.Errno, r.Msg) }

// Begin opens a window for one runtime call: changes until Settle are the
// runtime's. The plan's answers for this window are put in place.
func (fs *FS) Begin() error {
	if fs.open {
		return errors.New("cgroupfs: Begin inside an open window")
	}
	if err := fs.Flush(); err != nil {
		return err
	}
	if err := fs.w.discard(); err != nil { // stray changes are nobody's
		fs.tainted = true
		return err
	}
	fs.window++
	fs.open = true
	fs.pending, fs.removed = nil, false
	return fs.applyPlan()
}

// Window is the number of the current (or last) window, from 0.
func (fs *FS) Window() int { return fs.window }

// Settle closes the window: the kernel takes in what the runtime did. It
// returns the writes the kernel refused (a replay with Learned makes them
// fail synchronously) and an error only when the simulation itself failed.
func (fs *FS) Settle() ([]Refusal, error) {
	if !fs.open {
		return nil, nil
	}
	err := fs.collect()
	changes := fs.pending
	fs.pending, fs.removed, fs.open = nil, false, false
	if err != nil {
		fs.tainted = true
		return nil, err
	}
	// What settle itself does is queued too: the next Begin discards it
	// with what the node does meanwhile, and nothing reads the queue
	// before (a window's reads start after it).
	refusals, err := fs.settle(changes)
	if err != nil {
		fs.tainted = true
	}
	return refusals, err
}

// written is one file the runtime created or wrote in the window.
type written struct {
	h    *hierarchy
	cg   *cgroup
	file string
	path string
	// fresh marks a cgroup the runtime created in this window.
	fresh bool
}

func (fs *FS) settle(changes []change) ([]Refusal, error) {
	if len(changes) > 0 || len(fs.placed) > 0 || len(fs.trapped) > 0 {
		fs.gen++
	}
	unplaced, err := fs.settlePlaced(changes)
	if err != nil {
		return nil, err
	}
	var refusals []Refusal
	fresh := map[string]bool{}
	var files []written
	seen := map[string]bool{}
	addFile := func(w written) {
		if !seen[w.path] {
			seen[w.path] = true
			files = append(files, w)
		}
	}
	var deleted, orphans []change
	for _, c := range changes {
		isDir := c.mask&unix.IN_ISDIR != 0
		h, cg, skip := fs.noteChange(c, isDir, &deleted, &orphans)
		if skip {
			continue
		}
		switch {
		case isDir && c.mask&(unix.IN_DELETE|unix.IN_MOVED_FROM) != 0:
			if r, err := fs.runtimeRmdir(c.path()); err != nil {
				return nil, err
			} else if r != nil {
				refusals = append(refusals, *r)
			}
		case isDir && c.mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0:
			if err := fs.adopt(c.path(), fresh, addFile); err != nil {
				return nil, err
			}
			if h, rel, ok := fs.locate(c.path()); !ok || h.cgs[rel] == nil {
				fs.tainted = true // a directory the kernel never took in
			}
		case !isDir && c.mask&(unix.IN_CREATE|unix.IN_MODIFY|unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO) != 0:
			if cg == nil {
				continue // no cgroup's (noteChange has taken it in)
			}
			addFile(written{h: h, cg: cg, file: c.name, path: c.path(), fresh: fresh[c.dir]})
		}
	}
	slices.SortStableFunc(files, func(a, b written) int {
		if d := fs.hierIndex(a.h) - fs.hierIndex(b.h); d != 0 {
			return d
		}
		if d := depth(a.cg.rel) - depth(b.cg.rel); d != 0 {
			return d
		}
		return fileRank(a.file) - fileRank(b.file)
	})
	for _, w := range files {
		if w.h.cgs[w.cg.rel] != w.cg {
			fs.tainted = true // written in a cgroup removed since
			continue
		}
		if fs.isTrapped(w.h, w.cg.rel, w.file) {
			continue
		}
		if r := fs.settleWrite(w); r != nil {
			refusals = append(refusals, *r)
		}
	}
	fs.settledOrphans(orphans)
	for _, c := range deleted {
		// A file removed from a cgroup that is still there: its kernel
		// state still lists it. (The link of a pre-created cgroup is no
		// file of its parent: its removal is the runtime's rmdir, which
		// settlePlaced has taken in.)
		if slices.Contains(unplaced, c.path()) {
			continue
		}
		if h, rel, ok := fs.locate(c.dir); ok && h.cgs[rel] != nil {
			fs.tainted = true
		}
	}
	if err := fs.untrap(); err != nil {
		return nil, err
	}
	fs.dirty = false
	if err := fs.renderAll(); err != nil {
		return nil, err
	}
	fs.learnEmpty(fresh, files)
	return refusals, nil
}

// fileRank orders a cgroup's writes as the kernel's state needs them:
// controllers first, then values, then process moves and kills.
func fileRank(name string) int {
	switch name {
	case "cgroup.subtree_control":
		return 0
	case "cgroup.procs", "cgroup.threads", "tasks":
		return 2
	case "cgroup.kill":
		return 3
	}
	return 1
}

// settleWrite takes in one written file, or refuses it.
func (fs *FS) settleWrite(w written) *Refusal {
	raw, err := readBack(w)
	if err != nil {
		fs.tainted = true
		return nil // removed again within the window
	}
	f, exists := fs.lookupFile(w.h, w.cg, w.file)
	var why error
	switch {
	case !exists:
		why = refuse("EACCES", "the kernel has no %s in %s (cgroupfs cannot create files)", w.file, w.cg.rel)
	case !f.rw || slices.Contains(fs.spec.ReadOnlyFiles, w.file):
		// The file opens for writing (root), but kernfs has no write
		// operation for it: the write fails with EINVAL.
		why = refuse("EINVAL", "%s is read-only", w.file)
	case !w.h.v2 && (w.file == "cgroup.procs" || w.file == "tasks"):
		// containerd/cgroups opens these (v1) and cgroup.subtree_control
		// (v2) without O_TRUNC: what it writes lands on the old content's
		// first bytes.
		why = fs.applyWrite(w.h, w.cg, w.file, overwritten(w.cg.rendered[w.file], raw, fs.isTask))
	case w.h.v2 && w.file == "cgroup.subtree_control":
		why = fs.applyWrite(w.h, w.cg, w.file, overwritten(w.cg.rendered[w.file], raw, isSubtreeCommand))
	default:
		why = fs.applyWrite(w.h, w.cg, w.file, raw)
	}
	// The file holds what the runtime left; rendering rewrites it unless
	// it already reads as the kernel shows it.
	w.cg.rendered[w.file] = raw
	w.cg.clean = false
	if why == nil {
		return nil
	}
	if !exists || !f.mat {
		if _, ok := w.cg.values[w.file]; !ok {
			w.cg.dropFD(w.file)
			_ = os.Remove(w.path)
		}
	}
	var ref *refusal
	errors.As(why, &ref)
	r := &Refusal{Window: fs.window, Path: w.h.label() + ":" + filepath.Join(w.cg.rel, w.file), Errno: ref.errno, Msg: ref.msg}
	fs.logf("kernel refused %s", r)
	if w.fresh {
		fs.learn(PlanEntry{Window: fs.window, Hier: w.h.label(), Path: w.cg.rel})
	}
	fs.learn(PlanEntry{Window: fs.window, Hier: w.h.label(), Path: w.cg.rel, File: w.file, Why: ref.errno + ": " + ref.msg})
	return r
}

// overwritten recovers what was written at offset 0 over old content
// without truncating it: the shortest prefix that covers every changed
// byte and is a valid write (by valid); the whole content if none is.
func overwritten(old, now string, valid func(string) bool) string {
	last := -1
	for i := 0; i < len(now); i++ {
		if i >= len(old) || now[i] != old[i] {
			last = i
		}
	}
	for k := last + 1; k <= len(now); k++ {
		if k > 0 && valid(now[:k]) {
			return now[:k]
		}
	}
	return now
}

func (fs *FS) isTask(s string) bool {
	id, err := strconv.Atoi(strings.TrimSpace(s))
	return err == nil && fs.task(id) != nil
}

// isSubtreeCommand reports whether s is "+ctrl -ctrl ..." with known controllers.
func isSubtreeCommand(s string) bool {
	toks := strings.Fields(s)
	if len(toks) == 0 || strings.HasSuffix(s, " ") {
		return false
	}
	for _, t := range toks {
		if len(t) < 2 || (t[0] != '+' && t[0] != '-') || lookupController(t[1:]) == nil {
			return false
		}
	}
	return true
}

// adopt takes in a directory the runtime made: a new cgroup (and whatever
// it made inside it in the same window).
func (fs *FS) adopt(path string, fresh map[string]bool, addFile func(written)) error {
	h, rel, ok := fs.locate(path)
	if !ok || rel == "/" || h.cgs[parentRel(rel)] == nil {
		return nil // not inside a cgroup hierarchy
	}
	// Opened as a directory without following a link, it is known to be
	// one (no stat first) and is listed through the descriptor.
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	switch {
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP):
		return nil // gone again, or a link a plan placed
	case err != nil:
		return fmt.Errorf("cgroupfs: %w", &os.PathError{Op: "open", Path: path, Err: err})
	}
	defer unix.Close(fd)
	cg := h.cgs[rel]
	if cg == nil {
		cg = &cgroup{rel: rel, runtime: true, values: map[string]string{}, rendered: map[string]string{}}
		h.cgs[rel] = cg
		fresh[path] = true
	}
	if err := fs.w.add(path); err != nil {
		return err
	}
	entries, err := listDir(fd, path)
	if err != nil {
		return fmt.Errorf("cgroupfs: %w", err)
	}
	for _, e := range entries {
		p := path + "/" + e.name
		if e.typ == unix.DT_DIR {
			if err := fs.adopt(p, fresh, addFile); err != nil {
				return err
			}
			continue
		}
		if _, ok := cg.rendered[e.name]; !ok && e.typ == unix.DT_REG {
			addFile(written{h: h, cg: cg, file: e.name, path: p, fresh: fresh[path]})
		} else if e.typ != unix.DT_REG {
			fs.tainted = true // a link or device the kernel never took in
		}
	}
	return nil
}

// runtimeRmdir takes in a cgroup directory the runtime removed. The kernel
// refuses rmdir while tasks remain; a plain directory cannot, so the
// cgroup comes back and the refusal is reported.
func (fs *FS) runtimeRmdir(path string) (*Refusal, error) {
	h, rel, ok := fs.locate(path)
	if !ok {
		fs.tainted = true // a directory outside every hierarchy
		return nil, nil
	}
	if h.cgs[rel] == nil {
		return nil, nil // gone from the kernel's state already (the node removed it)
	}
	if ts := fs.tasksIn(h, rel, true, false); len(ts) > 0 {
		r := &Refusal{Window: fs.window, Path: h.label() + ":" + rel, Errno: "EBUSY",
			Msg: fmt.Sprintf("rmdir of a cgroup with tasks %v", ts)}
		fs.logf("kernel refused %s (the cgroup is restored)", r)
		for _, cg := range h.sortedCgroups() {
			if cg.rel == rel || isBelow(cg.rel, rel) {
				if err := os.MkdirAll(h.abs(cg.rel), 0o755); err != nil {
					return nil, fmt.Errorf("cgroupfs: %w", err)
				}
				cg.closeFDs()
				cg.rendered, cg.made, cg.clean = map[string]string{}, nil, false
				if err := fs.w.add(h.abs(cg.rel)); err != nil {
					return nil, err
				}
			}
		}
		return r, nil
	}
	fs.dropCgroup(h, rel)
	fs.w.forget(path)
	return nil, nil
}

// learnEmpty: on cgroup2, a cgroup the runtime made and left empty may be
// a parent it made on the way to a child in the same call; the kernel
// would have given it a cgroup.subtree_control the call could write.
func (fs *FS) learnEmpty(fresh map[string]bool, files []written) {
	for path := range fresh {
		h, rel, ok := fs.locate(path)
		if !ok || !h.v2 || h.cgs[rel] == nil {
			continue
		}
		if slices.ContainsFunc(files, func(w written) bool { return w.cg == h.cgs[rel] }) {
			continue
		}
		fs.learn(PlanEntry{Window: fs.window, Hier: h.label(), Path: rel})
	}
	slices.SortFunc(fs.learned.Entries, func(a, b PlanEntry) int {
		if d := depth(a.Path) - depth(b.Path); d != 0 {
			return d
		}
		return strings.Compare(a.Path+a.File, b.Path+b.File)
	})
}

func (fs *FS) isTrapped(h *hierarchy, rel, file string) bool {
	return slices.ContainsFunc(fs.trapped, func(t trappedFile) bool { return t.h == h && t.rel == rel && t.file == file })
}

// locate maps an absolute path to its hierarchy and cgroup path.
func (fs *FS) locate(path string) (*hierarchy, string, bool) {
	var best *hierarchy
	for _, h := range fs.hiers {
		if (path == h.dir || isBelow(path, h.dir)) && (best == nil || len(h.dir) > len(best.dir)) {
			best = h
		}
	}
	if best == nil {
		return nil, "", false
	}
	if best.name == "" {
		// cgroup2 at the mount point: v1-style names below are not its own.
		for _, o := range fs.hiers {
			if o != best && (path == o.dir || isBelow(path, o.dir)) {
				return nil, "", false
			}
		}
	}
	if path == best.dir {
		return best, "/", true
	}
	return best, path[len(best.dir):], true
}
