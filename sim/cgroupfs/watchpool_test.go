package cgroupfs

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func inotifyFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("/proc/self/fd: %v", err)
	}
	n := 0
	for _, e := range ents {
		if target, _ := os.Readlink("/proc/self/fd/" + e.Name()); strings.Contains(target, "inotify") {
			n++
		}
	}
	return n
}

// TestPooledWatcherCarriesNothingOver: a tree closed in the middle of a
// window, with changes its kernel never settled, hands its inotify
// instance to the next tree, which sees none of them: it reads as a tree
// built with a new instance. CloseIdle then leaves no instance open.
func TestPooledWatcherCarriesNothingOver(t *testing.T) {
	if err := CloseIdle(); err != nil {
		t.Fatal(err)
	}
	before := inotifyFDs(t)
	spec := Spec{Profile: profile(t, "al2023-like")}
	freshFS := node(t, spec)
	fresh := freshFS.Dump()
	if err := freshFS.Close(); err != nil {
		t.Fatal(err)
	}

	first, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	w := first.w
	if err := first.Begin(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(first.Mountpoint(), "kubepods", "stale"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(first.Mountpoint(), "cgroup.subtree_control"), []byte("+memory"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := node(t, spec)
	if second.w != w {
		t.Fatal("the second tree did not take the first one's pooled watcher")
	}
	if err := second.Begin(); err != nil {
		t.Fatal(err)
	}
	if refusals := settle(t, second); len(refusals) != 0 {
		t.Fatalf("an empty window on the second tree was refused: %v", refusals)
	}
	if got := second.Dump(); got != fresh {
		t.Fatalf("the tree with a pooled watcher differs from one with a new watcher:\n%s\nwant\n%s", got, fresh)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if err := CloseIdle(); err != nil {
		t.Fatal(err)
	}
	if after := inotifyFDs(t); after != before {
		t.Fatalf("%d inotify instances open after CloseIdle, %d before", after, before)
	}
}

// limitInstances makes the kernel refuse (EMFILE) an inotify instance
// beyond max open in this process, as fs.inotify.max_user_instances does
// (128 by default), and bounds the wait for one; it restores both at the
// end of the test.
func limitInstances(t *testing.T, max int, wait time.Duration) {
	t.Helper()
	if err := CloseIdle(); err != nil {
		t.Fatal(err)
	}
	init, origWait := inotifyInit, instanceWait
	t.Cleanup(func() { inotifyInit, instanceWait = init, origWait })
	instanceWait = wait
	inotifyInit = func() (int, error) {
		watchers.mu.Lock()
		live := watchers.live
		watchers.mu.Unlock()
		if live >= max {
			return -1, unix.EMFILE
		}
		return init()
	}
}

// TestTreesWaitForAnInstanceAtTheKernelLimit: with the kernel allowing 4
// inotify instances, 12 trees made at once (each kept until all are made
// or 200 ms have passed) are all made, the ones the kernel refuses waiting
// for another tree's instance; New failed with "too many open files" on
// the 129th tree at once (a cgroups campaign on 256 workers). A refusal
// while this process holds none, or when none is released in time, is an
// error naming the kernel's limit.
func TestTreesWaitForAnInstanceAtTheKernelLimit(t *testing.T) {
	spec := Spec{Profile: profile(t, "al2023-like")}
	t.Run("wait", func(t *testing.T) {
		limitInstances(t, 4, time.Minute)
		const trees = 12
		var made atomic.Int32
		errs := make(chan error, trees)
		for range trees {
			go func() {
				fs, err := New(spec)
				if err != nil {
					errs <- err
					return
				}
				made.Add(1)
				for deadline := time.Now().Add(200 * time.Millisecond); made.Load() < trees && time.Now().Before(deadline); {
					time.Sleep(time.Millisecond)
				}
				errs <- fs.Close()
			}()
		}
		for range trees {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if n := made.Load(); n != trees {
			t.Fatalf("%d of %d trees made under a limit of 4 instances", n, trees)
		}
	})
	for _, tt := range []struct {
		name string
		held int // trees kept open while New is called
	}{{"none held", 0}, {"none released", 2}} {
		t.Run(tt.name, func(t *testing.T) {
			limitInstances(t, tt.held, 100*time.Millisecond)
			for range tt.held {
				fs, err := New(spec)
				if err != nil {
					t.Fatal(err)
				}
				defer fs.Close()
			}
			start := time.Now()
			_, err := New(spec)
			if err == nil || !strings.Contains(err.Error(), "too many open files") || !strings.Contains(err.Error(), "fs.inotify.max_user_instances") {
				t.Fatalf("New beyond the limit with %d trees held: %v; expected an error naming the kernel's limit", tt.held, err)
			}
			if took := time.Since(start); tt.held == 0 && took > 50*time.Millisecond {
				t.Errorf("New with no instance to wait for took %s, expected an error at once", took)
			}
		})
	}
}
