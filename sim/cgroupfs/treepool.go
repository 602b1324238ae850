package cgroupfs

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"

	"golang.org/x/sys/unix"
)

// Building a tree (every hierarchy's root cgroup with its files and
// watch) and removing it cost about as much as a short scenario's own
// work, and a scenario that learns a kernel answer is run again on the
// same node. A closed tree is therefore reset to what New built and kept
// for the next New of the same spec; CloseIdle removes the kept trees.
// Trees are handed out whole, one owner at a time: the pool's lock is
// taken once per New and Close, never while a tree is used.
var trees struct {
	mu   sync.Mutex
	idle []*FS // oldest first
}

// maxIdleTrees bounds the trees kept: a few per campaign worker, for
// the specs that recur (a replay's, the generator's named nodes).
const maxIdleTrees = 8

// base is what New built, to reset a closed tree to.
type base struct {
	// key is the tree's spec and where it lives (see treeKey).
	key string
	gen uint64
	// dirs are the directories New made that hold more than one entry
	// kind (the mount point, each hierarchy's root), and their entries.
	dirs []baseDir
	// roots are the root cgroups' state, by hierarchy.
	roots []baseRoot
}

type baseDir struct {
	path    string
	entries map[string]uint8 // name -> d_type
}

type baseRoot struct {
	subtree          []string
	values, rendered map[string]string
}

// treeKey is what decides a tree New builds: the spec and the directory
// trees are made in.
func treeKey(spec Spec) string { return fmt.Sprintf("%s\x00%#v", TempRoot(), spec) }

// takeTree returns a kept tree built for key, or nil.
func takeTree(key string) *FS {
	trees.mu.Lock()
	defer trees.mu.Unlock()
	for i := len(trees.idle) - 1; i >= 0; i-- {
		if fs := trees.idle[i]; fs.base.key == key {
			trees.idle = slices.Delete(trees.idle, i, i+1)
			return fs
		}
	}
	return nil
}

// keep pools a reset tree; the oldest kept tree is removed when the pool
// is full.
func keep(fs *FS) error {
	trees.mu.Lock()
	trees.idle = append(trees.idle, fs)
	var evicted *FS
	if len(trees.idle) > maxIdleTrees {
		evicted = trees.idle[0]
		trees.idle = slices.Delete(trees.idle, 0, 1)
	}
	trees.mu.Unlock()
	if evicted != nil {
		return evicted.destroy()
	}
	return nil
}

// closeIdleTrees removes every kept tree.
func closeIdleTrees() error {
	trees.mu.Lock()
	idle := trees.idle
	trees.idle = nil
	trees.mu.Unlock()
	var errs []error
	for _, fs := range idle {
		errs = append(errs, fs.destroy())
	}
	return errors.Join(errs...)
}

// destroy removes the tree and gives back its watcher.
func (fs *FS) destroy() error {
	var errs []error
	if fs.w != nil {
		errs = append(errs, fs.w.release())
		fs.w = nil
	}
	errs = append(errs, removeTree(fs.dir))
	return errors.Join(errs...)
}

// recordBase notes what New built, for reset.
func (fs *FS) recordBase(key string) error {
	b := &base{key: key, gen: fs.gen}
	paths := []string{fs.dir, filepath.Dir(filepath.Dir(fs.mount)), filepath.Dir(fs.mount), fs.mount}
	for _, h := range fs.hiers {
		if h.dir != fs.mount {
			paths = append(paths, h.dir)
		}
		root := h.cgs["/"]
		b.roots = append(b.roots, baseRoot{subtree: slices.Clone(root.subtree), values: maps.Clone(root.values), rendered: maps.Clone(root.rendered)})
	}
	for _, p := range paths {
		entries, err := listDir(p)
		if err != nil {
			return err
		}
		d := baseDir{path: p, entries: map[string]uint8{}}
		for _, e := range entries {
			d.entries[e.name] = e.typ
		}
		b.dirs = append(b.dirs, d)
	}
	fs.base = b
	return nil
}

func listDir(path string) ([]entry, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("cgroupfs: list %s: %w", path, err)
	}
	defer unix.Close(fd)
	entries, err := readEntries(fd)
	if err != nil {
		return nil, fmt.Errorf("cgroupfs: list %s: %w", path, err)
	}
	return entries, nil
}

// reset returns the tree to what New built: on disk, whatever is not
// New's goes (cgroups made since, files the runtime created, links and
// scratch directories a plan placed) and the root cgroups' files read as
// New wrote them; in memory, only the root cgroups are left, with New's
// state, and no task, plan, window or watch of a cgroup since made. It
// fails, leaving the tree to be removed, when something New made is gone.
func (fs *FS) reset() error {
	// Changes not yet settled (a window left open) name files whose
	// content the tree has not recorded.
	changes, err := fs.w.read()
	if err != nil {
		return err
	}
	stale := map[string]bool{}
	for _, c := range changes {
		stale[c.path()] = true
	}
	for _, h := range fs.hiers {
		for rel := range h.cgs {
			if rel != "/" {
				fs.w.forget(h.abs(rel))
			}
		}
	}
	for _, d := range fs.base.dirs {
		missing, err := pruneDir(d)
		if err != nil {
			return err
		}
		for _, name := range missing {
			stale[filepath.Join(d.path, name)] = true
		}
	}
	for i, h := range fs.hiers {
		root, b := h.cgs["/"], fs.base.roots[i]
		for name, content := range b.rendered {
			p := h.dir + "/" + name
			if got, ok := root.rendered[name]; !ok || got != content || stale[p] {
				if err := writeFile(p, content); err != nil {
					return err
				}
			}
		}
		for rel := range h.cgs {
			if rel != "/" {
				delete(h.cgs, rel)
			}
		}
		root.runtime = false
		root.subtree = slices.Clone(b.subtree)
		root.values = maps.Clone(b.values)
		root.rendered = maps.Clone(b.rendered)
	}
	if err := fs.w.discard(); err != nil {
		return err
	}
	fs.tasks = nil
	fs.plan, fs.learned = Plan{}, Plan{}
	fs.window, fs.open = -1, false
	fs.pending, fs.placed, fs.trapped = nil, nil, nil
	fs.Log = nil
	fs.gen, fs.dirty = fs.base.gen, false
	return nil
}

// pruneDir removes the entries of a directory New did not make (or made
// as another kind) and returns the names New made that are gone, which
// must be regular files.
func pruneDir(d baseDir) (missing []string, err error) {
	fd, err := unix.Open(d.path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("cgroupfs: reset %s: %w", d.path, err)
	}
	defer unix.Close(fd)
	entries, err := readEntries(fd)
	if err != nil {
		return nil, fmt.Errorf("cgroupfs: reset %s: %w", d.path, err)
	}
	found := map[string]bool{}
	for _, e := range entries {
		if typ, ok := d.entries[e.name]; ok && typ == e.typ {
			found[e.name] = true
			continue
		}
		if e.dir {
			err = removeAt(fd, e.name)
		} else {
			err = unix.Unlinkat(fd, e.name, 0)
		}
		if err != nil && !errors.Is(err, unix.ENOENT) {
			return nil, fmt.Errorf("cgroupfs: reset %s: remove %s: %w", d.path, e.name, err)
		}
	}
	for name, typ := range d.entries {
		if found[name] {
			continue
		}
		if typ != unix.DT_REG {
			return nil, fmt.Errorf("cgroupfs: reset %s: %s is gone", d.path, name)
		}
		missing = append(missing, name)
	}
	return missing, nil
}
