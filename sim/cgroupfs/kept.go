package cgroupfs

import (
	"slices"
	"sync"

	"golang.org/x/sys/unix"
)

// keptTrees are the trees kept for the next ones; CloseIdle removes them.
// A tree opened takes a kept one of its mode, so a mode never has more kept
// than it had trees open at once: one when they open one at a time, one per
// campaign worker when workers run them side by side, so that each finds
// one (maxKeptOfMode at most).
var keptTrees struct {
	mu   sync.Mutex
	list []*keptTree
}

// maxKeptOfMode bounds the trees of one mode kept.
const maxKeptOfMode = 8

// keptFDBudget bounds the descriptors the kept trees hold, an eighth of the
// process's limit on open files, except that the newest tree of each mode
// is kept whatever it holds: trees kept for campaign workers never take the
// descriptors the runtime under test and the open trees need. Tests
// replace it.
var keptFDBudget = sync.OnceValue(func() int {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil || lim.Cur > 1<<30 {
		return 1 << 16
	}
	return int(lim.Cur / 8)
})

// admit adds k to the kept trees and returns those it displaces, for the
// caller to remove once keptTrees.mu is released: the oldest of k's mode
// when the mode has maxKeptOfMode, then, while the kept trees hold more
// descriptors than keptFDBudget, the oldest that is not its mode's newest
// (a single worker's trees, one a mode, are never displaced by the
// budget). Called with keptTrees.mu held.
func admit(k *keptTree) []*keptTree {
	var evicted []*keptTree
	take := func(i int) {
		evicted = append(evicted, keptTrees.list[i])
		keptTrees.list = slices.Delete(keptTrees.list, i, i+1)
	}
	if ofMode(k.mode) >= maxKeptOfMode {
		take(slices.IndexFunc(keptTrees.list, func(o *keptTree) bool { return o.mode == k.mode }))
	}
	keptTrees.list = append(keptTrees.list, k)
	fds := 0
	for _, o := range keptTrees.list {
		fds += o.fds
	}
	for i := 0; i < len(keptTrees.list) && fds > keptFDBudget(); {
		if o := keptTrees.list[i]; ofMode(o.mode) > 1 {
			fds -= o.fds
			take(i)
			continue
		}
		i++
	}
	return evicted
}

// ofMode counts the kept trees of the mode; called with keptTrees.mu held.
func ofMode(m Mode) int {
	n := 0
	for _, o := range keptTrees.list {
		if o.mode == m {
			n++
		}
	}
	return n
}
