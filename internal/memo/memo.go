// Package memo remembers the answers of pure functions process-wide, for
// every campaign worker at once, within a bound, until the owner forgets
// them: a campaign draws the same few strings (a tool's version, a rule's
// text, a sandbox id) in scenario after scenario, and parsing or hashing
// each once is enough.
package memo

import (
	"sync"
	"sync/atomic"
)

// Capped remembers at most Max values by key. It is safe for concurrent
// use, lock-free on reads, and meant for keys read far more often than
// new ones arrive. Concurrent first stores may overshoot Max by at most
// the number of storing goroutines. The zero value remembers nothing: set
// Max. Forget empties it; its owner calls that when no run is using it.
type Capped[K comparable, V any] struct {
	Max int64

	m sync.Map // K -> V
	n atomic.Int64
}

// Load returns the value remembered for k.
func (c *Capped[K, V]) Load(k K) (V, bool) {
	v, ok := c.m.Load(k)
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

// Store remembers v for k unless Max values are remembered already. A
// value is the function's answer for its key, so a key stored twice keeps
// the first.
func (c *Capped[K, V]) Store(k K, v V) {
	if c.n.Load() >= c.Max {
		return
	}
	if _, loaded := c.m.LoadOrStore(k, v); !loaded {
		c.n.Add(1)
	}
}

// Get returns the value remembered for k, or f(k), remembered.
func (c *Capped[K, V]) Get(k K, f func(K) V) V {
	if v, ok := c.Load(k); ok {
		return v
	}
	v := f(k)
	c.Store(k, v)
	return v
}

// Len is how many values are remembered.
func (c *Capped[K, V]) Len() int { return int(c.n.Load()) }

// Forget empties the memo. Runs still in flight may store again.
func (c *Capped[K, V]) Forget() {
	c.m.Clear()
	c.n.Store(0)
}
