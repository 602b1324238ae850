package cgroupfs

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// What a tree made in a kept one leaves unclaimed at its first sweep is
// mostly the last node's own cgroups (pods, units, sandboxes' parents)
// with their interface files, which the next cgroups it makes would write
// again under other names. A directory the simulation made that holds
// only files is therefore moved aside whole, to the tree's spare directory
// (beside the tree, outside everything a runtime or reader sees), instead
// of being removed file by file; a cgroup made later in the same parent
// directory, by this tree or the next of its mode, takes it back
// (recycleSpare), claims the files it writes with the same bytes and
// removes the rest before anyone can look.

// recycle moves to path, which the kept tree does not hold, a directory
// the simulation made in the kept tree in the same parent directory (a
// pod or unit of the last node where this one makes its own) that the
// tree has not claimed, with everything below it, and reports whether it
// did. What it holds stays kept, under its new path: the cgroup about to
// be made there claims the files it would write (its interface files,
// most with the same bytes), and the rest goes with the sweep, as if it
// had been left where it was. The directory's watch follows it.
func (fs *FS) recycle(path string) bool {
	if fs.kept == nil || fs.kept[path] != nil {
		return false
	}
	if fs.keptDirs == nil {
		// The kept tree's directories by parent, sorted, listed once: a
		// directory recycle re-keys below another path is not listed.
		fs.keptDirs = map[string][]string{}
		for p, e := range fs.kept {
			if e.kind == keptDir {
				parent := parentDir(p)
				fs.keptDirs[parent] = append(fs.keptDirs[parent], p)
			}
		}
		for _, dirs := range fs.keptDirs {
			slices.Sort(dirs)
		}
	}
	from := ""
	for _, p := range fs.keptDirs[parentDir(path)] {
		if e := fs.kept[p]; e != nil && e.kind == keptDir && e.own && !e.claimed {
			from = p
			break
		}
	}
	if from == "" {
		return false
	}
	var moved []string
	for p, e := range fs.kept {
		if p == from || isBelow(p, from) {
			if e.claimed || fs.kept[path+p[len(from):]] != nil {
				return false
			}
			moved = append(moved, p)
		}
	}
	if unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, path, unix.RENAME_NOREPLACE) != nil {
		return false
	}
	entries := make([]*keptEntry, len(moved))
	for i, p := range moved {
		entries[i] = fs.kept[p]
		delete(fs.kept, p)
	}
	for i, p := range moved {
		fs.kept[path+p[len(from):]] = entries[i]
	}
	fs.kept[path].claimed = true
	fs.w.move(from, path)
	fs.recycled++
	return true
}

// parentDir is the directory holding an entry of the tree, by its clean
// absolute path.
func parentDir(path string) string { return path[:strings.LastIndexByte(path, '/')] }

// spareDir is a directory moved aside, with the entries below it.
type spareDir struct {
	// parent is the directory it was in; path is where it is now.
	parent, path string
	// files are its files, by name.
	files map[string]*keptEntry
}

// maxSpares bounds the directories a tree keeps aside.
const maxSpares = 32

// spareRoot is where the tree's directories moved aside are: beside the
// tree, named for its owner as the tree is (SweepStale removes both).
func (fs *FS) spareRoot() string { return spareRoot(fs.dir) }

// spareRoot is where a tree made in dir sets directories aside.
func spareRoot(dir string) string { return dir + ".spare" }

// setAside moves the leftover directories that the simulation made and
// that hold only files (all of them unclaimed, as the directory is) to the
// spare directory, and takes them and their files out of left.
func (fs *FS) setAside(left map[string]*keptEntry) {
	hasDir := map[string]bool{}
	var dirs []string
	for p, e := range left {
		if e.kind == keptDir {
			hasDir[parentDir(p)] = true
			if e.own {
				dirs = append(dirs, p)
			}
		}
	}
	slices.Sort(dirs)
	for _, p := range dirs {
		if len(fs.spares) >= maxSpares {
			return
		}
		if hasDir[p] {
			continue
		}
		if fs.spareSeq == 0 {
			if err := os.Mkdir(fs.spareRoot(), 0o755); err != nil && !errors.Is(err, os.ErrExist) {
				return
			}
		}
		fs.spareSeq++
		dst := fs.spareRoot() + "/" + strconv.Itoa(fs.spareSeq)
		if unix.Renameat2(unix.AT_FDCWD, p, unix.AT_FDCWD, dst, unix.RENAME_NOREPLACE) != nil {
			continue
		}
		s := &spareDir{parent: parentDir(p), path: dst, files: map[string]*keptEntry{}}
		delete(left, p)
		prefix := p + "/"
		for q, e := range left {
			if strings.HasPrefix(q, prefix) {
				s.files[q[len(prefix):]] = e
				delete(left, q)
			}
		}
		fs.w.move(p, dst)
		fs.spares = append(fs.spares, s)
	}
}

// recycleSpare moves to path a directory set aside from the same parent
// directory, and reports whether it did: its files are then claimable
// (spareClaims) until the cgroup made there has rendered its own
// (sweepSpare removes the rest).
func (fs *FS) recycleSpare(path string) bool {
	if fs.kept != nil && fs.kept[path] != nil {
		return false // the kept tree's own directory there is claimed
	}
	parent := parentDir(path)
	i := slices.IndexFunc(fs.spares, func(s *spareDir) bool { return s.parent == parent })
	if i < 0 {
		return false
	}
	s := fs.spares[i]
	if unix.Renameat2(unix.AT_FDCWD, s.path, unix.AT_FDCWD, path, unix.RENAME_NOREPLACE) != nil {
		return false
	}
	fs.spares = slices.Delete(fs.spares, i, i+1)
	fs.w.move(s.path, path)
	fs.spareClaims = map[string]*keptEntry{}
	for name, e := range s.files {
		fs.spareClaims[path+"/"+name] = e
	}
	fs.takenBack++
	return true
}

// removeSpares removes the directories set aside and the spare directory
// (w may be nil: the watches go with the directories).
func removeSpares(root string, spares []*spareDir, w *watcher) error {
	var errs []error
	for _, s := range spares {
		entries := map[string]*keptEntry{s.path: {kind: keptDir, fd: -1}}
		for name, e := range s.files {
			entries[s.path+"/"+name] = e
		}
		errs = append(errs, sweepEntries(entries, w))
	}
	if err := unix.Rmdir(root); err != nil && !errors.Is(err, unix.ENOENT) {
		errs = append(errs, removeTree(root))
	}
	return errors.Join(errs...)
}
