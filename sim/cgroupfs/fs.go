package cgroupfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// FS is one simulated node's cgroup filesystem: a directory tree under a
// temporary directory that the real containerd/cgroups code reads and
// writes, and the kernel state behind it (hierarchies, cgroups, tasks).
//
// A runtime's calls happen inside a window (Begin ... Settle). During the
// window the tree is plain files: the runtime's writes land, and the files
// it may not touch answer synchronously only if a replay plan made them
// refuse. Settle is the kernel catching up: it reads the changes the
// window made, accepts or refuses each as the kernel would, applies the
// accepted ones (controllers enabled, tasks moved, values canonicalised,
// new cgroups filled with their interface files) and records the refused
// ones, so that a replay of the scenario refuses them synchronously.
type FS struct {
	spec  Spec
	facts *kernelFacts
	dir   string
	mount string
	hiers []*hierarchy
	tasks []*task
	w     *watcher

	plan    Plan
	learned Plan
	// window counts the windows opened; open is true inside one.
	window  int
	open    bool
	pending []change
	placed  []*placedDir
	trapped []trappedFile
	// Log receives one line per refusal and replayed answer (may be nil).
	Log func(format string, args ...any)
	// closed is set by Close.
	closed bool
	// gen counts changes to the tree.
	gen uint64
	// dirty is set when the node changed state not yet written out.
	dirty bool
	// kept is what the tree took over from a closed one and has not
	// claimed yet, by absolute path (nil once swept).
	kept map[string]*keptEntry
	// keptDirs lists kept's directories by parent directory (recycle).
	keptDirs map[string][]string
	// removed says a change pending in the window removed or renamed
	// something (kept with pending, so no node event rescans it): a kept
	// descriptor may then reach another file than its path's, and the
	// node's renders in the window open files by their paths.
	removed bool
	// recycled and takenBack count the directories recycle and
	// recycleSpare moved, for the tests to see that each path ran.
	recycled, takenBack int
	// spares are the directories set aside (see spare.go), spareSeq
	// numbers them, and spareClaims are the files of one taken back
	// until its cgroup has rendered.
	spares      []*spareDir
	spareSeq    int
	spareClaims map[string]*keptEntry
	// tainted is set when the disk may hold what the kernel state does
	// not say (the runtime did what the kernel never took in, or the
	// simulation failed): the tree is not kept.
	tainted bool
}

// Generation changes whenever the tree or the kernel state behind it may
// have changed; a reader can skip a check when it has not.
func (fs *FS) Generation() uint64 { return fs.gen }

// TrapTarget is where refusing files point: a name that does not exist in
// sysfs, so creating it fails with EACCES (sysfs has no create operation,
// as kernfs, which cgroupfs is built on) and opening it otherwise fails
// with ENOENT, both as a missing cgroup interface file does.
var TrapTarget = "/sys/.faultsim-absent"

// TempRoot is where trees are made: $TMPDIR when set, else /dev/shm when
// it is a writable directory (a tmpfs: file operations there cost a
// fraction of a disk-backed /tmp's), else os.TempDir().
func TempRoot() string {
	if os.Getenv("TMPDIR") != "" {
		return os.TempDir()
	}
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() && unix.Access("/dev/shm", unix.W_OK) == nil {
		return "/dev/shm"
	}
	return os.TempDir()
}

// New builds a node's cgroupfs under a fresh temporary directory in
// TempRoot, named for this process (see SweepStale, which the first New of
// a process runs on TempRoot). Close removes it.
func New(spec Spec) (*FS, error) {
	if spec.Mode == 0 {
		return nil, errors.New("cgroupfs: the node has no cgroup mode: expected v1, hybrid or v2")
	}
	if spec.CPUs <= 0 {
		spec.CPUs = 4
	}
	if spec.Mems <= 0 {
		spec.Mems = 1
	}
	var sweepErr error
	sweepOnce.Do(func() { _, sweepErr = SweepStale(TempRoot()) })
	if sweepErr != nil {
		return nil, sweepErr
	}
	fs := &FS{spec: spec, facts: factsFor(spec), window: -1}
	if k := takeKept(TempRoot(), spec.Mode); k != nil {
		fs.dir, fs.w, fs.kept = k.dir, k.w, k.entries
		fs.spares, fs.spareSeq = k.spares, k.spareSeq
	} else {
		pattern, err := treePattern()
		if err != nil {
			return nil, err
		}
		if fs.dir, err = os.MkdirTemp(TempRoot(), pattern); err != nil {
			return nil, fmt.Errorf("cgroupfs: %w", err)
		}
	}
	fs.mount = mountOf(fs.dir)
	if err := fs.build(); err != nil {
		fs.tainted = true
		_ = fs.Close()
		return nil, err
	}
	return fs, nil
}

func (fs *FS) build() error {
	if fs.w == nil {
		var err error
		if fs.w, err = takeWatcher(); err != nil {
			return err
		}
		if err := os.MkdirAll(fs.mount, 0o755); err != nil {
			return fmt.Errorf("cgroupfs: %w", err)
		}
	}
	fs.newHierarchies()
	if fs.spec.Mode != Unified {
		// The runtime is given the mount point: what it does there
		// (outside every hierarchy) is seen, to keep the tree only
		// when it did nothing.
		if err := fs.w.add(fs.mount); err != nil {
			return err
		}
	}
	for _, h := range fs.hiers {
		if h.name != "" {
			if err := fs.mkdir(h.dir); err != nil {
				return fmt.Errorf("cgroupfs: %w", err)
			}
		}
		if _, err := fs.mkdirCgroup(h, "/"); err != nil {
			return err
		}
		// systemd's links for co-mounted controllers: cpu -> cpu,cpuacct.
		for _, c := range coMountLinks(h) {
			if err := fs.symlink(h.name, filepath.Join(fs.mount, c)); err != nil {
				return fmt.Errorf("cgroupfs: %w", err)
			}
		}
	}
	_, err := fs.w.read()
	return err
}

// Close removes the tree and pools its inotify instance for the next
// tree, or, when its disk holds exactly what its kernel state says, keeps
// it whole for the next tree to claim from (see CloseIdle). It is safe to
// call more than once.
func (fs *FS) Close() error {
	if fs.closed {
		return nil
	}
	fs.closed = true
	if fs.w != nil && !fs.open && !fs.tainted && fs.sweep(true) == nil {
		return fs.keep() // with the descriptors of its files
	}
	for _, h := range fs.hiers {
		for _, cg := range h.cgs {
			cg.closeFDs()
		}
	}
	// What the tree kept and did not claim goes first, by name, with what
	// it set aside; what it claimed, the kernel state names.
	// (A failed sweep leaves names removeKnown cannot remove: the tree is
	// then walked.)
	_ = fs.sweep(false) // nothing set aside: the spares go next
	var errs []error
	if fs.w != nil {
		errs = append(errs, removeSpares(fs.spareRoot(), fs.spares, fs.w))
		fs.spares = nil
	}
	if fs.w != nil && fs.removeKnown() {
		// The watched directories are gone, and their watches with them.
		return errors.Join(append(errs, fs.w.releaseGone())...)
	}
	if fs.w != nil {
		errs = append(errs, fs.w.release())
	}
	errs = append(errs, removeTree(fs.dir))
	return errors.Join(errs...)
}

// Dir is the temporary directory holding the tree.
func (fs *FS) Dir() string { return fs.dir }

// Spec is the node the tree simulates.
func (fs *FS) Spec() Spec { return fs.spec }

// Mountpoint is the node's /sys/fs/cgroup: cgroup2 itself in unified mode,
// the directory holding the v1 hierarchies otherwise.
func (fs *FS) Mountpoint() string { return fs.mount }

// UnifiedMountpoint is where cgroup2 is mounted ("" in legacy mode).
func (fs *FS) UnifiedMountpoint() string {
	switch fs.spec.Mode {
	case Unified:
		return fs.mount
	case Hybrid:
		return filepath.Join(fs.mount, "unified")
	}
	return ""
}

// node runs a mutation the node makes itself (systemd, kubelet, the
// kernel running processes) so that it is not taken for the runtime's:
// changes already queued are kept for the window, the mutation's are dropped.
func (fs *FS) node(mutate func() error) error {
	if !fs.open {
		// Outside a window nothing is the runtime's: Begin drains the
		// queue before the next one opens.
		return mutate()
	}
	if err := fs.collect(); err != nil {
		return err
	}
	err := mutate()
	if err == nil && fs.dirty {
		// Inside a window the runtime may read what the node just did.
		err = fs.renderAll()
		fs.dirty = false
	}
	if _, rerr := fs.w.read(); err == nil {
		err = rerr
	}
	if err != nil {
		fs.tainted = true
	}
	return err
}

// Flush writes out what the node changed since the last window, so that
// readers of the tree see it. Windows flush by themselves; a reader
// outside one (an invariant check) calls Flush first.
func (fs *FS) Flush() error {
	if fs.dirty {
		// Rendered before the sweep, a file the kept tree holds with the
		// same bytes is claimed instead of removed and written again.
		fs.dirty = false
		if err := fs.renderAll(); err != nil {
			fs.tainted = true
			return err
		}
	}
	return fs.sweep(true)
}

// collect moves queued changes into the window's pending list.
func (fs *FS) collect() error {
	cs, err := fs.w.read()
	if fs.open {
		fs.pending = append(fs.pending, cs...)
		fs.removed = fs.removed || removesAny(cs)
	}
	return err
}

// Mkdir creates a cgroup on behalf of the node (kubelet's pod cgroups,
// systemd's slices and scopes) in the hierarchies of the given
// controllers, or in every hierarchy when none is given ("" names the
// process-tracking one). On v2, enable lists controllers the node turns
// on in the subtree_control of every ancestor, top-down, as systemd does
// for the units below a slice.
func (fs *FS) Mkdir(rel string, enable []string, only ...string) error {
	if err := checkRel(rel); err != nil {
		return err
	}
	return fs.node(func() error {
		for _, h := range fs.hiers {
			if len(only) > 0 && !fs.hierIn(h, only) {
				continue
			}
			if _, err := fs.mkdirCgroup(h, rel); err != nil {
				return err
			}
			if h.v2 && len(enable) > 0 {
				fs.enableDown(h, rel, enable)
			}
		}
		fs.dirty = true
		return nil
	})
}

func (fs *FS) hierIn(h *hierarchy, only []string) bool {
	for _, c := range only {
		if fs.hierarchyFor(c) == h || (c == "" && h.v2 && fs.spec.Mode == Hybrid) {
			return true
		}
	}
	return false
}

// enableDown enables the controllers (those available) in the
// subtree_control of each ancestor of rel, top-down.
func (fs *FS) enableDown(h *hierarchy, rel string, ctrls []string) {
	var chain []string
	for p := parentRel(rel); p != ""; p = parentRel(p) {
		chain = append([]string{p}, chain...)
	}
	top := "" // the topmost cgroup whose subtree_control changed
	for _, p := range chain {
		cg := h.cgs[p]
		for _, c := range ctrls {
			if slices.Contains(fs.enabled(h, cg), c) && !slices.Contains(cg.subtree, c) {
				cg.subtree = append(cg.subtree, c)
				if top == "" {
					top = p
				}
			}
		}
	}
	if top != "" {
		h.stale(top, true) // and everything below it, the later ones too
	}
}

// Remove removes a cgroup and its descendants on behalf of the node
// (systemd stopping a unit, kubelet removing a pod cgroup). Like rmdir it
// fails when a task is still in it.
func (fs *FS) Remove(rel string) error {
	return fs.node(func() error {
		for _, h := range fs.hiers {
			if h.cgs[rel] == nil {
				continue
			}
			if ts := fs.tasksIn(h, rel, true, false); len(ts) > 0 {
				return fmt.Errorf("rmdir %s: device or resource busy (tasks %v)", h.abs(rel), ts)
			}
		}
		for _, h := range fs.hiers {
			if h.cgs[rel] == nil {
				continue
			}
			fs.dropCgroup(h, rel)
			if err := removeTree(h.abs(rel)); err != nil {
				return fmt.Errorf("cgroupfs: %w", err)
			}
			fs.w.forget(h.abs(rel))
		}
		fs.dirty = true
		return nil
	})
}

// dropCgroup forgets a cgroup and its descendants.
func (fs *FS) dropCgroup(h *hierarchy, rel string) {
	for r, cg := range h.cgs {
		if r == rel || isBelow(r, rel) {
			cg.closeFDs()
			delete(h.cgs, r)
		}
	}
}

// checkRel rejects cgroup paths that are not clean and absolute.
func checkRel(rel string) error {
	if !strings.HasPrefix(rel, "/") || filepath.Clean(rel) != rel {
		return fmt.Errorf("cgroupfs: cgroup path %q: expected a clean absolute path such as /kubepods/pod1", rel)
	}
	return nil
}

func (fs *FS) logf(format string, args ...any) {
	if fs.Log != nil {
		fs.Log(format, args...)
	}
}
