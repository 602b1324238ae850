package cgroupfs

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

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
	// live counts the instances this process holds open, in trees or
	// pooled; freed is closed (and replaced) when one is pooled or closed.
	live  int
	freed chan struct{}
}

// maxIdleWatchers bounds the pool: one for each campaign worker and each
// shrink running beside them, with room to spare.
const maxIdleWatchers = 16

// inotifyInit opens an inotify instance; tests replace it to impose a
// limit.
var inotifyInit = func() (int, error) { return unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC) }

// instanceWait bounds how long a new tree waits for another tree's
// instance when the kernel refuses a new one.
var instanceWait = time.Minute

// takeWatcher returns a pooled watcher or a new one. The kernel allows a
// user fs.inotify.max_user_instances instances (128 by default), fewer
// than the trees a campaign on a large machine has open at once; when it
// refuses one (EMFILE, or ENFILE for the system's file table) while this
// process holds some, the tree waits for another tree to release its
// instance, which every tree does within a scenario.
func takeWatcher() (*watcher, error) {
	deadline := time.Now().Add(instanceWait)
	for {
		watchers.mu.Lock()
		if n := len(watchers.idle); n > 0 {
			w := watchers.idle[n-1]
			watchers.idle = watchers.idle[:n-1]
			watchers.mu.Unlock()
			return w, nil
		}
		if watchers.freed == nil {
			watchers.freed = make(chan struct{})
		}
		freed, held := watchers.freed, watchers.live
		watchers.mu.Unlock()
		fd, err := inotifyInit()
		if err == nil {
			watchers.mu.Lock()
			watchers.live++
			watchers.mu.Unlock()
			return &watcher{fd: fd, dirs: map[int]string{}, wds: map[string]int{}, buf: make([]byte, 64<<10)}, nil
		}
		if (errors.Is(err, unix.EMFILE) || errors.Is(err, unix.ENFILE)) && removeOneKept() {
			continue // a kept tree gave its instance back to the pool
		}
		left := time.Until(deadline)
		if !errors.Is(err, unix.EMFILE) && !errors.Is(err, unix.ENFILE) || held == 0 || left <= 0 {
			return nil, instanceError(err, held)
		}
		timer := time.NewTimer(left)
		select {
		case <-freed:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// instanceError explains a refused inotify instance.
func instanceError(err error, held int) error {
	if !errors.Is(err, unix.EMFILE) && !errors.Is(err, unix.ENFILE) {
		return fmt.Errorf("cgroupfs: inotify: %w", err)
	}
	why := "other processes hold them all"
	if held > 0 {
		why = fmt.Sprintf("this process holds %d (one per simulated cgroupfs tree) and released none within %s", held, instanceWait)
	}
	limit, _ := os.ReadFile("/proc/sys/fs/inotify/max_user_instances")
	return fmt.Errorf("cgroupfs: inotify: %w: the kernel allows a user %s instances (fs.inotify.max_user_instances); %s: expected fewer trees at once (--workers) or a higher limit",
		err, strings.TrimSpace(string(limit)), why)
}

// wakeWaiters wakes the trees waiting for an instance; called with watchers.mu
// held.
func wakeWaiters() {
	if watchers.freed != nil {
		close(watchers.freed)
		watchers.freed = nil
	}
}

// closeWatcher closes a watcher that is not pooled.
func closeWatcher(w *watcher) error {
	err := w.close()
	watchers.mu.Lock()
	watchers.live--
	wakeWaiters()
	watchers.mu.Unlock()
	return err
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
		return errors.Join(err, closeWatcher(w))
	}
	watchers.mu.Lock()
	pooled := len(watchers.idle) < maxIdleWatchers
	if pooled {
		watchers.idle = append(watchers.idle, w)
		wakeWaiters()
	}
	watchers.mu.Unlock()
	if !pooled {
		return closeWatcher(w)
	}
	return nil
}

// CloseIdle closes the kept trees and the inotify instances pooled for the
// next trees, and forgets the kernels' shared facts, so that a process that
// has finished with simulated cgroupfs trees (a campaign at its end) holds
// no file descriptor or memory for them. Trees made afterwards make new ones.
func CloseIdle() error {
	kerr := closeKept()
	forgetFacts()
	watchers.mu.Lock()
	idle := watchers.idle
	watchers.idle = nil
	watchers.mu.Unlock()
	errs := []error{kerr}
	for _, w := range idle {
		errs = append(errs, closeWatcher(w))
	}
	return errors.Join(errs...)
}

// IdleWatchers counts the inotify instances pooled for the next trees,
// alone or with a kept tree.
func IdleWatchers() int {
	watchers.mu.Lock()
	n := len(watchers.idle)
	watchers.mu.Unlock()
	return n + keptWatchers()
}
