package cgroupfs

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// Closing an inotify instance waits for the kernel's SRCU grace period
// (fsnotify_destroy_group calls synchronize_srcu): about 10 ms on the
// development machine, longer than the rest of a typical scenario, spent
// asleep. A tree's watcher therefore goes back to a pool when the tree is
// closed, its watches removed and its queue drained, and the next tree
// takes it; CloseIdle closes the pooled ones. Watch descriptors are
// allocated cyclically by the kernel, so an event still queued for an old
// tree's descriptor never names one of the new tree's, and read drops it.
var watchers struct {
	mu   sync.Mutex
	idle []*watcher
}

// maxIdleWatchers bounds the pool: one for each campaign worker and each
// shrink running beside them, with room to spare.
const maxIdleWatchers = 16

// takeWatcher returns a pooled watcher or a new one.
func takeWatcher() (*watcher, error) {
	watchers.mu.Lock()
	if n := len(watchers.idle); n > 0 {
		w := watchers.idle[n-1]
		watchers.idle = watchers.idle[:n-1]
		watchers.mu.Unlock()
		return w, nil
	}
	watchers.mu.Unlock()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("cgroupfs: inotify: %w", err)
	}
	return &watcher{fd: fd, dirs: map[int]string{}, wds: map[string]int{}, buf: make([]byte, 64<<10)}, nil
}

// release removes the watcher's watches, drains its queue and pools it
// (or closes it when the pool is full or draining fails).
func (w *watcher) release() error {
	for wd := range w.dirs {
		_, _ = unix.InotifyRmWatch(w.fd, uint32(wd))
	}
	return w.releaseGone()
}

// releaseGone is release once every watched directory is gone: the kernel
// removed their watches (and queued IN_IGNORED, drained here).
func (w *watcher) releaseGone() error {
	clear(w.dirs)
	clear(w.wds)
	if err := w.discard(); err != nil {
		return errors.Join(err, w.close())
	}
	watchers.mu.Lock()
	pooled := len(watchers.idle) < maxIdleWatchers
	if pooled {
		watchers.idle = append(watchers.idle, w)
	}
	watchers.mu.Unlock()
	if !pooled {
		return w.close()
	}
	return nil
}

// CloseIdle closes the inotify instances pooled for the next trees, so
// that a process that has finished with simulated cgroupfs trees (a
// campaign at its end) holds no file descriptor for them. Trees made
// afterwards open new ones.
func CloseIdle() error {
	watchers.mu.Lock()
	idle := watchers.idle
	watchers.idle = nil
	watchers.mu.Unlock()
	var errs []error
	for _, w := range idle {
		errs = append(errs, w.close())
	}
	return errors.Join(errs...)
}

// IdleWatchers counts the inotify instances pooled for the next trees.
func IdleWatchers() int {
	watchers.mu.Lock()
	defer watchers.mu.Unlock()
	return len(watchers.idle)
}
