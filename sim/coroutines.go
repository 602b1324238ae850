package sim

import "sync"

// DefaultIdleCoroutines is how many idle coroutines a Coroutines keeps
// when its Max is zero: enough for the tasks of a few runs under way at
// once.
const DefaultIdleCoroutines = 32

// Coroutines keeps the coroutines that runs' Tasks leave idle, for the
// tasks of later runs: a coroutine made, its stack grown and ended for
// every run costs more than many yields. Tasks whose Pool is set take
// their coroutines from it and give the idle ones back at Close; a task
// still suspended at Close is unwound first (its deferred calls run), so
// every coroutine kept is parked between tasks, never inside one. It is
// safe for concurrent runs.
//
// What it keeps are parked goroutines: its owner must call Release when
// no run is under way (a campaign at its end, a test binary before its
// goroutine check), after which it works as before. A run on a goroutine
// locked to its OS thread must not use one (a coroutine may only be
// resumed in the locking state it was made in). The zero value keeps
// DefaultIdleCoroutines.
type Coroutines struct {
	// Max bounds how many idle coroutines are kept (0: the default);
	// those given back beyond it are ended.
	Max int

	mu           sync.Mutex
	idle         []*worker
	made, reused int
}

// take returns an idle coroutine, or nil when there is none.
func (p *Coroutines) take() *worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.idle)
	if n == 0 {
		p.made++
		return nil
	}
	w := p.idle[n-1]
	p.idle[n-1] = nil
	p.idle = p.idle[:n-1]
	p.reused++
	return w
}

// give keeps the coroutines of ws up to the bound, and returns those it
// did not keep, for the caller to end.
func (p *Coroutines) give(ws []*worker) []*worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	limit := p.Max
	if limit <= 0 {
		limit = DefaultIdleCoroutines
	}
	n := min(max(limit-len(p.idle), 0), len(ws))
	p.idle = append(p.idle, ws[:n]...)
	return ws[n:]
}

// Release ends every idle coroutine kept, so that none is left parked.
// Runs under way keep theirs and give them back at their Close.
func (p *Coroutines) Release() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, w := range idle {
		w.stop()
	}
}

// CoroutineStats says how many coroutines a Coroutines keeps idle, and
// how many tasks' first steps found none (made a new one) or reused one.
type CoroutineStats struct {
	Idle, Made, Reused int
}

// Stats returns the counts.
func (p *Coroutines) Stats() CoroutineStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return CoroutineStats{Idle: len(p.idle), Made: p.made, Reused: p.reused}
}
