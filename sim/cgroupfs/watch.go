package cgroupfs

import (
	"errors"
	"fmt"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"
)

// watcher records, through inotify, what is done to the tree between two
// points. The kernel queues an event synchronously with the call that
// caused it, so reading the queue after a runtime's call returns exactly
// the changes that call made, in order: no polling, no goroutine.
type watcher struct {
	fd   int
	dirs map[int]string // watch descriptor -> directory
	wds  map[string]int
	buf  []byte
}

// change is one recorded change: a file or directory created, written or
// removed in dir.
type change struct {
	dir, name string
	mask      uint32
}

func (c change) path() string { return filepath.Join(c.dir, c.name) }

const watchMask = unix.IN_CREATE | unix.IN_MODIFY | unix.IN_CLOSE_WRITE | unix.IN_DELETE |
	unix.IN_MOVED_FROM | unix.IN_MOVED_TO | unix.IN_ATTRIB

func (w *watcher) add(dir string) error {
	if _, ok := w.wds[dir]; ok {
		return nil
	}
	wd, err := unix.InotifyAddWatch(w.fd, dir, watchMask|unix.IN_ONLYDIR)
	if err != nil {
		return fmt.Errorf("cgroupfs: watch %s: %w", dir, err)
	}
	if old, ok := w.dirs[wd]; ok {
		delete(w.wds, old) // the same inode seen through another path
	}
	w.dirs[wd] = dir
	w.wds[dir] = wd
	return nil
}

// forget drops the watches of dir and below (the directory is gone).
func (w *watcher) forget(dir string) {
	for wd, d := range w.dirs {
		if d == dir || isBelow(d, dir) {
			_, _ = unix.InotifyRmWatch(w.fd, uint32(wd))
			delete(w.dirs, wd)
			delete(w.wds, d)
		}
	}
}

// move follows a directory renamed from one path to another: its watch
// and those below it report their changes under the new path.
func (w *watcher) move(from, to string) {
	for wd, d := range w.dirs {
		if d == from || isBelow(d, from) {
			nd := to + d[len(from):]
			delete(w.wds, d)
			w.dirs[wd] = nd
			w.wds[nd] = wd
		}
	}
}

// dropGone forgets the watch of a directory removed with rmdir: the kernel
// removed the watch with it.
func (w *watcher) dropGone(dir string) {
	if wd, ok := w.wds[dir]; ok {
		delete(w.wds, dir)
		delete(w.dirs, wd)
	}
}

// read drains the queue and returns the changes in order.
func (w *watcher) read() ([]change, error) {
	var out []change
	for {
		n, err := unix.Read(w.fd, w.buf)
		if errors.Is(err, unix.EAGAIN) || n == 0 {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("cgroupfs: read inotify: %w", err)
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&w.buf[off]))
			name := ""
			if ev.Len > 0 {
				raw := w.buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
				for i, c := range raw {
					if c == 0 {
						raw = raw[:i]
						break
					}
				}
				name = string(raw)
			}
			off += unix.SizeofInotifyEvent + int(ev.Len)
			if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
				return out, errors.New("cgroupfs: inotify queue overflowed: too many changes in one step")
			}
			if ev.Mask&unix.IN_IGNORED != 0 {
				continue
			}
			if dir, ok := w.dirs[int(ev.Wd)]; ok {
				out = append(out, change{dir: dir, name: name, mask: ev.Mask})
			}
		}
		if drained(n, len(w.buf)) {
			return out, nil
		}
	}
}

// maxEvent is the size of the largest inotify event: its header and a
// name of NAME_MAX bytes with its terminating zero.
const maxEvent = unix.SizeofInotifyEvent + unix.NAME_MAX + 1

// drained reports whether a read of n bytes into a buffer of size emptied
// the queue: the kernel fills the buffer with every event that fits, so a
// read that left room for the largest event took the last one.
func drained(n, size int) bool { return n <= size-maxEvent }

// discard drains the queue, overflowed or not: what is in it is nobody's.
func (w *watcher) discard() error {
	for {
		n, err := unix.Read(w.fd, w.buf)
		if errors.Is(err, unix.EAGAIN) || n == 0 {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cgroupfs: read inotify: %w", err)
		}
		if drained(n, len(w.buf)) {
			return nil
		}
	}
}

func (w *watcher) close() error { return unix.Close(w.fd) }
