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

// ReadFile reads a small file with plain system calls (os.ReadFile would
// also try to register the descriptor with the runtime poller): an open, a
// read and a close where os takes five. A read that returns less than it
// asked for has met the end of the file: the tree's files are regular
// files on a local filesystem, which return short reads only at their end.
func ReadFile(path string) (string, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	s, err := readAt(fd)
	if err != nil {
		return "", &os.PathError{Op: "read", Path: path, Err: err}
	}
	return s, nil
}

// ReadFile reads a file of the tree as the package's ReadFile does; outside
// a window, a file the tree keeps a descriptor on is read through it, with
// one pread where a read by its path takes an open, a read and a close (a
// kept descriptor reaches the file at its path there: settle has dropped
// those whose files the runtime removed or renamed).
func (fs *FS) ReadFile(path string) (string, error) {
	if fd, ok := fs.keptFD(path); ok && !fs.open {
		s, err := readAt(fd)
		if err != nil {
			return "", &os.PathError{Op: "read", Path: path, Err: err}
		}
		return s, nil
	}
	return ReadFile(path)
}

// keptFD is the descriptor the tree keeps on the file at path, if any.
func (fs *FS) keptFD(path string) (int, bool) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return 0, false
	}
	h, rel, ok := fs.locate(path[:i])
	if !ok || h.cgs[rel] == nil {
		return 0, false
	}
	fd, ok := h.cgs[rel].fds[path[i+1:]]
	return fd, ok
}

// writeOpen writes content into a cgroup's file by its path and keeps the
// descriptor open in the cgroup for the next rewrite (rewriteAt) and for
// reading back what the runtime writes there (readAt). When
// known, the file holds old (or is missing) and is rewritten in place, not
// truncated first: truncating frees the file's page only for the write to
// allocate it again.
func (cg *cgroup) writeOpen(name, path, content, old string, known bool) error {
	flags := unix.O_TRUNC
	if known {
		flags = 0
	} else {
		old = "" // the file is empty once truncated
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC|flags, 0o644)
	if err != nil {
		return fmt.Errorf("cgroupfs: render %s: %w", path, err)
	}
	err = rewriteAt(fd, content, old, oldOrEmpty)
	cg.keepFD(name, fd)
	if err != nil {
		return fmt.Errorf("cgroupfs: render %s: %w", path, err)
	}
	return nil
}

// holding is what a file open for a rewrite is known to hold.
type holding uint8

const (
	// unknownContent: anything (the runtime may have written it).
	unknownContent holding = iota
	// oldOrEmpty: old, or nothing (the file was just created).
	oldOrEmpty
	// exactlyOld: old, byte for byte.
	exactlyOld
)

// rewriteAt writes content over the file open at fd, which holds old as
// held says, so that it then holds exactly content: it is cut after
// content unless it held old (or nothing) no longer than content, and a
// file that holds exactly old beginning with content is only cut (an
// empty content only cuts).
func rewriteAt(fd int, content, old string, held holding) error {
	if held == exactlyOld && len(content) < len(old) && old[:len(content)] == content {
		return unix.Ftruncate(fd, int64(len(content)))
	}
	if content != "" {
		n, err := unix.Pwrite(fd, []byte(content), 0)
		if err != nil {
			return err
		}
		if n != len(content) {
			return fmt.Errorf("wrote %d of %d bytes", n, len(content))
		}
	}
	if held == unknownContent || len(content) < len(old) {
		return unix.Ftruncate(fd, int64(len(content)))
	}
	return nil
}

// readAt reads the whole file open at fd, as ReadFile reads it by its
// path, in one pread for a small file.
func readAt(fd int) (string, error) {
	var buf [4096]byte
	var out []byte
	for off := int64(0); ; {
		n, err := unix.Pread(fd, buf[:], off)
		if err != nil {
			return "", err
		}
		out = append(out, buf[:n]...)
		if n < len(buf) {
			return string(out), nil
		}
		off += int64(n)
	}
}

// keepDescriptors makes keepFD keep the descriptors it is given: the tree
// then reaches its files through them (rewrites, read-backs, hand-over to
// the next tree). Tests turn it off to compare with a tree that holds no
// descriptor, and so opens a file by its path for every read and write.
var keepDescriptors = true

// keepFD records the open descriptor of a file of the cgroup, closing the
// one it replaces (or, without keepDescriptors, closes it). A caller is
// done with fd when it calls keepFD.
func (cg *cgroup) keepFD(name string, fd int) {
	if !keepDescriptors {
		_ = unix.Close(fd)
		return
	}
	if cg.fds == nil {
		cg.fds = map[string]int{}
	}
	if old, ok := cg.fds[name]; ok {
		_ = unix.Close(old)
	}
	cg.fds[name] = fd
}

// dropFD closes the descriptor of a file removed or replaced: it no longer
// reaches the file at its path.
func (cg *cgroup) dropFD(name string) {
	if fd, ok := cg.fds[name]; ok {
		_ = unix.Close(fd)
		delete(cg.fds, name)
	}
}

// closeFDs closes the descriptors of every file of the cgroup.
func (cg *cgroup) closeFDs() {
	for name := range cg.fds {
		cg.dropFD(name)
	}
}

// removeTree removes a directory and everything below it with plain
// system calls on directory descriptors: one open, the getdents reads and
// one unlink an entry, where os.RemoveAll also stats, probes every entry
// with the wrong unlink first and registers each descriptor with the
// runtime poller. It falls back to os.RemoveAll on anything unexpected.
func removeTree(path string) error {
	if err := removeAt(unix.AT_FDCWD, path); err != nil && !errors.Is(err, unix.ENOENT) {
		return os.RemoveAll(path)
	}
	return nil
}

// dirEntry is a directory's entry: its name and type (DT_DIR, DT_REG,
// DT_LNK, ...).
type dirEntry struct {
	name string
	typ  uint8
}

// listFD lists the directory open at fd with getdents, in the order it
// returns; EINVAL for a filesystem without d_type.
func listFD(fd int) ([]dirEntry, error) {
	var entries []dirEntry
	var buf [8192]byte
	for {
		n, err := unix.Getdents(fd, buf[:])
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return entries, nil
		}
		for off := 0; off < n; {
			// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
			reclen := int(buf[off+16]) | int(buf[off+17])<<8
			typ := buf[off+18]
			raw := buf[off+19 : off+reclen]
			if i := bytesIndexZero(raw); i >= 0 {
				raw = raw[:i]
			}
			if s := string(raw); s != "." && s != ".." {
				if typ == unix.DT_UNKNOWN {
					return nil, unix.EINVAL
				}
				entries = append(entries, dirEntry{s, typ})
			}
			off += reclen
		}
	}
}

// listDir lists the directory at path, open at fd, sorted by name, as
// os.ReadDir does, with the getdents reads (os.ReadDir also registers the
// descriptor with the runtime poller); it falls back to os.ReadDir on a
// filesystem without d_type.
func listDir(fd int, path string) ([]dirEntry, error) {
	entries, err := listFD(fd)
	if errors.Is(err, unix.EINVAL) {
		des, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		entries = entries[:0]
		for _, d := range des {
			entries = append(entries, dirEntry{d.Name(), modeType(d.Type())})
		}
		return entries, nil
	}
	if err != nil {
		return nil, &os.PathError{Op: "getdents", Path: path, Err: err}
	}
	slices.SortFunc(entries, func(a, b dirEntry) int { return strings.Compare(a.name, b.name) })
	return entries, nil
}

// modeType maps a file mode's type to the d_type listFD gives.
func modeType(m os.FileMode) uint8 {
	switch {
	case m.IsDir():
		return unix.DT_DIR
	case m.IsRegular():
		return unix.DT_REG
	case m&os.ModeSymlink != 0:
		return unix.DT_LNK
	}
	return unix.DT_UNKNOWN
}

// removeAt removes the directory name (relative to the directory parent)
// and its contents.
func removeAt(parent int, name string) error {
	fd, err := unix.Openat(parent, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	entries, err := listFD(fd)
	if err != nil {
		unix.Close(fd)
		return err // EINVAL lets os.RemoveAll handle filesystems without d_type
	}
	for _, e := range entries {
		if e.typ == unix.DT_DIR {
			err = removeAt(fd, e.name)
		} else {
			err = unix.Unlinkat(fd, e.name, 0)
		}
		if err != nil && !errors.Is(err, unix.ENOENT) {
			unix.Close(fd)
			return err
		}
	}
	unix.Close(fd)
	return unix.Unlinkat(parent, name, unix.AT_REMOVEDIR)
}

func bytesIndexZero(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// removeKnown removes the tree by the names the kernel state knows, with
// no directory listed: each cgroup's files, deepest cgroup first, then
// the mounts and the directories above them. It reports whether the tree
// is gone; what it did not know of (a file the runtime made that the
// kernel never took in, a link a plan placed) is left for removeTree.
func (fs *FS) removeKnown() bool {
	for _, h := range fs.hiers {
		cgs := h.sortedCgroups()
		for i := len(cgs) - 1; i >= 0; i-- {
			dir := h.abs(cgs[i].rel)
			for name := range cgs[i].rendered {
				_ = unix.Unlinkat(unix.AT_FDCWD, dir+"/"+name, 0)
			}
			if dir != fs.mount {
				if err := unix.Rmdir(dir); err != nil {
					return false
				}
			}
		}
		for _, c := range coMountLinks(h) {
			_ = unix.Unlinkat(unix.AT_FDCWD, filepath.Join(fs.mount, c), 0)
		}
	}
	return removeUp(fs.dir) == nil
}

// removesAny reports whether a change removed or renamed a file or a
// directory: until the window is settled, a descriptor kept open on a
// file may then no longer reach the file at its path.
func removesAny(changes []change) bool {
	for _, c := range changes {
		if c.mask&(unix.IN_DELETE|unix.IN_MOVED_FROM|unix.IN_MOVED_TO) != 0 {
			return true
		}
	}
	return false
}

// readBack reads what a written file holds: through the descriptor kept
// on it when there is one (settle has taken in the window's removals and
// renames first, which drop the descriptors they cut from their paths),
// else through one it opens by the path and keeps for the file's next
// render, else (the file refuses to open for writing) by its path.
func readBack(w written) (string, error) {
	if fd, ok := w.cg.fds[w.file]; ok {
		return readAt(fd)
	}
	if fd, err := unix.Open(w.path, unix.O_RDWR|unix.O_CLOEXEC, 0); err == nil {
		s, err := readAt(fd)
		w.cg.keepFD(w.file, fd)
		return s, err
	}
	return readLoose(w.path)
}

// readLoose reads a file the runtime created, whose mode may be 0.
func readLoose(path string) (string, error) {
	b, err := ReadFile(path)
	if errors.Is(err, os.ErrPermission) {
		if cerr := os.Chmod(path, 0o644); cerr == nil {
			b, err = ReadFile(path)
		}
	}
	return b, err
}
