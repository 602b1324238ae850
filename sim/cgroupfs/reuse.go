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

// Most of what a tree holds is made again by the next tree: the roots of
// the hierarchies, systemd's and kubelet's slices, their interface files
// with the same contents. A tree whose disk holds exactly what its kernel
// state says (clean: see taint) is therefore kept when it is closed, and
// the next tree claims from it what it would have made: a directory at a
// path it makes, a file it writes with the very bytes it would write. What
// it does not claim is removed before any window opens or any reader looks
// (sweep), so the runtime and the oracle see what a new tree shows, byte
// for byte. Only what the simulation itself made may be claimed: a
// directory or file the runtime made keeps the runtime's mode bits.

// entryKind is what a kept path is.
type entryKind uint8

const (
	keptDir entryKind = iota
	keptFile
	keptLink
)

// keptEntry is one path of a kept tree.
type keptEntry struct {
	kind entryKind
	// content is a file's bytes or a link's target.
	content string
	// own is true when the simulation made it: it may be claimed.
	own     bool
	claimed bool
	// fd is a descriptor open on a file (read and write), handed from
	// the closed tree to the one that claims the file, or -1.
	fd int
}

// keptTree is a closed tree kept for the next one, with its inotify
// instance (watching its directories still) and everything on its disk.
type keptTree struct {
	dir     string
	mode    Mode
	w       *watcher
	entries map[string]*keptEntry
	// spares are the directories set aside, spareSeq numbers them.
	spares   []*spareDir
	spareSeq int
	// fds counts the descriptors it holds: its files' and its inotify
	// instance.
	fds int
}

// takeKept returns the kept tree under root of the mode, or nil: a tree of
// another mode shares little with the new one.
func takeKept(root string, mode Mode) *keptTree {
	keptTrees.mu.Lock()
	defer keptTrees.mu.Unlock()
	for i, k := range keptTrees.list {
		if k.mode == mode && isBelow(k.dir, root) {
			keptTrees.list = slices.Delete(keptTrees.list, i, i+1)
			return k
		}
	}
	return nil
}

// keep records the closed tree's disk and keeps it, removing the kept
// trees it displaces (see admit).
func (fs *FS) keep() error {
	k := &keptTree{dir: fs.dir, mode: fs.spec.Mode, w: fs.w, entries: map[string]*keptEntry{}, spares: fs.spares, spareSeq: fs.spareSeq, fds: 1}
	for _, h := range fs.hiers {
		for _, cg := range h.cgs {
			dir := h.abs(cg.rel)
			if dir != fs.mount { // the mount point stays, as the directories above it
				k.entries[dir] = &keptEntry{kind: keptDir, own: !cg.runtime, fd: -1}
			}
			for name, content := range cg.rendered {
				fd, ok := cg.fds[name]
				if ok {
					delete(cg.fds, name)
				} else {
					fd = -1
				}
				k.entries[dir+"/"+name] = &keptEntry{kind: keptFile, content: content, own: !cg.runtime && !cg.made[name], fd: fd}
				if fd >= 0 {
					k.fds++
				}
			}
			cg.closeFDs() // none is left: a descriptor is of a rendered file
		}
		for _, c := range coMountLinks(h) {
			k.entries[fs.mount+"/"+c] = &keptEntry{kind: keptLink, content: h.name, own: true, fd: -1}
		}
	}
	for _, s := range fs.spares { // their files keep the descriptors they had
		for _, e := range s.files {
			if e.fd >= 0 {
				k.fds++
			}
		}
	}
	keptTrees.mu.Lock()
	evicted := admit(k)
	keptTrees.mu.Unlock()
	if len(evicted) > 0 {
		errs := make([]error, len(evicted))
		for i, o := range evicted {
			errs[i] = o.remove()
		}
		return errors.Join(errs...)
	}
	// A tree waiting for an instance at the kernel's limit may take this
	// one's (removeOneKept).
	watchers.mu.Lock()
	wakeWaiters()
	watchers.mu.Unlock()
	return nil
}

// mountOf is where a tree made in dir mounts its hierarchies.
func mountOf(dir string) string { return filepath.Join(dir, "sys", "fs", "cgroup") }

// removeUp removes the empty directories from the mount point of a tree
// made in dir up to dir itself.
func removeUp(dir string) error {
	for d := mountOf(dir); ; d = filepath.Dir(d) {
		if err := unix.Rmdir(d); err != nil || d == dir {
			return err
		}
	}
}

// coMountLinks are the links systemd makes for a co-mounted v1 hierarchy
// (cpu and cpuacct for cpu,cpuacct).
func coMountLinks(h *hierarchy) []string {
	if len(h.ctrls) > 1 && !h.v2 {
		return h.ctrls
	}
	return nil
}

// remove removes a kept tree, by the names it holds, and pools its
// watcher; a directory left over (the tree's was removed meanwhile, or a
// name is not what it was) is walked instead.
func (k *keptTree) remove() error {
	err := errors.Join(sweepEntries(k.entries, nil), removeSpares(spareRoot(k.dir), k.spares, nil))
	if err == nil {
		err = removeUp(k.dir)
	}
	if err != nil {
		err = removeTree(k.dir)
	}
	return errors.Join(err, k.w.releaseGone())
}

// closeKept removes every kept tree.
func closeKept() error {
	keptTrees.mu.Lock()
	list := keptTrees.list
	keptTrees.list = nil
	keptTrees.mu.Unlock()
	var errs []error
	for _, k := range list {
		errs = append(errs, k.remove())
	}
	return errors.Join(errs...)
}

// removeOneKept removes the oldest kept tree, pooling its instance, and
// reports whether there was one: a tree the kernel refuses an instance
// takes a kept tree's rather than waiting.
func removeOneKept() bool {
	keptTrees.mu.Lock()
	if len(keptTrees.list) == 0 {
		keptTrees.mu.Unlock()
		return false
	}
	k := keptTrees.list[0]
	keptTrees.list = keptTrees.list[1:]
	keptTrees.mu.Unlock()
	_ = k.remove() // its instance is pooled or closed either way
	return true
}

// keptWatchers counts the inotify instances kept with trees.
func keptWatchers() int {
	keptTrees.mu.Lock()
	defer keptTrees.mu.Unlock()
	return len(keptTrees.list)
}

// claim takes the kept entry at path for the directory, file or link of
// the kind the tree makes there, and returns it when the simulation made
// one of that kind (a file's or link's content may differ: the caller
// writes what does): from the files of a directory taken back from the
// spare directory (spareClaims) first, else from the kept tree. An entry
// in the way (another kind, or the runtime's) is removed with what is
// below it, and claim returns nil.
func (fs *FS) claim(path string, kind entryKind) (*keptEntry, error) {
	if e, found, err := fs.claimIn(fs.spareClaims, path, kind); found {
		return e, err
	}
	e, _, err := fs.claimIn(fs.kept, path, kind)
	return e, err
}

// claimIn is claim from the entries m (kept or spareClaims); found
// reports whether m held an unclaimed entry at path.
func (fs *FS) claimIn(m map[string]*keptEntry, path string, kind entryKind) (e *keptEntry, found bool, err error) {
	e = m[path]
	if e == nil || e.claimed {
		return nil, false, nil
	}
	if e.kind == kind && e.own {
		e.claimed = true
		return e, true, nil
	}
	below := map[string]*keptEntry{}
	for p, o := range m {
		if (p == path || isBelow(p, path)) && !o.claimed {
			below[p] = o
			delete(m, p)
		}
	}
	return nil, true, sweepEntries(below, fs.w)
}

// sweep removes what the tree kept from its predecessor and did not claim;
// with aside, it first sets aside the directories of files it may take back
// (setAside).
func (fs *FS) sweep(aside bool) error {
	kept := fs.kept
	fs.kept, fs.keptDirs = nil, nil
	return fs.sweepUnclaimed(kept, aside)
}

// sweepSpare removes the files of a directory taken back that its cgroup
// did not claim.
func (fs *FS) sweepSpare() error {
	claims := fs.spareClaims
	fs.spareClaims = nil
	return fs.sweepUnclaimed(claims, false)
}

// sweepUnclaimed removes the entries of m (kept or spareClaims, which the
// caller has let go of) that were not claimed, setting aside first (aside)
// the directories of files a cgroup may take back. A failure taints the
// tree.
func (fs *FS) sweepUnclaimed(m map[string]*keptEntry, aside bool) error {
	if m == nil {
		return nil
	}
	left := map[string]*keptEntry{}
	for p, e := range m {
		if !e.claimed {
			left[p] = e
		}
	}
	if aside {
		fs.setAside(left)
	}
	if err := sweepEntries(left, fs.w); err != nil {
		fs.tainted = true
		return err
	}
	return nil
}

// sweepEntries removes the entries, deepest first; a missing one is gone
// already. The removed directories' watches go with them (w may be nil).
func sweepEntries(entries map[string]*keptEntry, w *watcher) error {
	paths := make([]string, 0, len(entries))
	for p := range entries {
		paths = append(paths, p)
	}
	slices.SortFunc(paths, func(a, b string) int {
		if d := strings.Count(b, "/") - strings.Count(a, "/"); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	for _, p := range paths {
		var err error
		if fd := entries[p].fd; fd >= 0 {
			_ = unix.Close(fd)
			entries[p].fd = -1
		}
		if entries[p].kind == keptDir {
			// A directory that is still there keeps its watch.
			if err = unix.Rmdir(p); w != nil && (err == nil || errors.Is(err, unix.ENOENT)) {
				w.dropGone(p)
			}
		} else {
			err = unix.Unlink(p)
		}
		if err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("cgroupfs: remove %s kept from an earlier tree: %w", p, err)
		}
	}
	return nil
}

// noteChange keeps account of what a change of the runtime leaves on the
// disk that the kernel state may not say, so that only a tree whose disk
// it describes exactly is kept (see keep): it taints the tree for a change
// outside every hierarchy (which settle then skips: it reports true), of a
// file's mode or name; it records the files the runtime created in a
// cgroup, in deleted the files it removed, and in orphans the files it
// changed in a directory that is no cgroup (see settledOrphans). For a
// file's change it returns the file's cgroup (nil when its directory is
// none) and hierarchy.
func (fs *FS) noteChange(c change, isDir bool, deleted, orphans *[]change) (h *hierarchy, cg *cgroup, skip bool) {
	if c.dir == fs.mount && fs.spec.Mode != Unified {
		fs.tainted = true
		return nil, nil, true
	}
	if c.mask&(unix.IN_ATTRIB|unix.IN_MOVED_FROM|unix.IN_MOVED_TO) != 0 {
		fs.tainted = true
	}
	if isDir {
		return nil, nil, false
	}
	h, rel, ok := fs.locate(c.dir)
	if ok {
		cg = h.cgs[rel]
	}
	if cg != nil && c.mask&(unix.IN_DELETE|unix.IN_MOVED_FROM|unix.IN_MOVED_TO) != 0 {
		cg.dropFD(c.name) // another file, or none, is at the name now
	}
	if c.mask&unix.IN_DELETE != 0 {
		*deleted = append(*deleted, c)
		return h, cg, false
	}
	if !ok {
		fs.tainted = true
		return nil, nil, false
	}
	if cg == nil {
		// A file of a directory the kernel dropped (a cgroup the runtime
		// removed in the window): see settledOrphans.
		*orphans = append(*orphans, c)
		return h, nil, false
	}
	if c.mask&unix.IN_CREATE != 0 {
		if cg.made == nil {
			cg.made = map[string]bool{}
		}
		cg.made[c.name] = true
	}
	return h, cg, false
}

// settledOrphans taints the tree when a directory whose files changed while
// it was no cgroup is still on the disk, and still no cgroup, once the
// window is settled: what it holds the kernel state does not say.
func (fs *FS) settledOrphans(orphans []change) {
	for _, c := range orphans {
		if h, rel, ok := fs.locate(c.dir); ok && h.cgs[rel] == nil && unix.Access(c.dir, unix.F_OK) == nil {
			fs.tainted = true
			return
		}
	}
}

// mkdir makes a directory of the tree, or claims the kept one, or moves
// there one the kept tree's node made beside it (recycle).
func (fs *FS) mkdir(path string) error {
	if e, err := fs.claim(path, keptDir); e != nil || err != nil {
		return err
	}
	if fs.recycle(path) {
		return nil
	}
	return os.Mkdir(path, 0o755)
}

// symlink makes a link of the tree, or claims the kept one.
func (fs *FS) symlink(target, path string) error {
	e, err := fs.claim(path, keptLink)
	if err != nil || (e != nil && e.content == target) {
		return err
	}
	if e != nil {
		if err := unix.Unlink(path); err != nil {
			return fmt.Errorf("cgroupfs: %w", err)
		}
	}
	return os.Symlink(target, path)
}
