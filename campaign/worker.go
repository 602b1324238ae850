package campaign

import (
	"fmt"
	"sync"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// scheduler hands out jobs: runs of consecutive scenario indexes of one
// stream, at most a chunk long, of the chunks the shard owns, skipping what
// earlier sessions ran. Streams share the workers' time, not turns: the
// next job goes to the stream with the fewest jobs running, then the least
// time spent, so a slow model (cgroups does real file I/O) cannot hold the
// fast ones to its pace. Which indexes a stream runs stays a function of
// the state; only the interleaving of streams follows the clock.
type scheduler struct {
	mu       sync.Mutex
	cursors  []*cursor
	busy     []time.Duration
	inflight []int
	shard    Shard
	chunk    int64
	max      int64
}

// cursor is a stream's position: the next chunk and what is left of the
// current one.
type cursor struct {
	next      int64
	pending   Ranges
	done      Ranges // as the campaign started
	exhausted bool
}

type job struct {
	stream int
	lo, hi int64
}

func newScheduler(streams []Stream, st *State, shard Shard) *scheduler {
	s := &scheduler{shard: shard, chunk: int64(st.Chunk), max: st.MaxScenarios}
	for _, str := range streams {
		s.cursors = append(s.cursors, &cursor{next: int64(shard.Index), done: st.stream(str).Done.clone()})
	}
	s.busy = make([]time.Duration, len(s.cursors))
	s.inflight = make([]int, len(s.cursors))
	return s
}

func (rs Ranges) clone() Ranges { return append(Ranges(nil), rs...) }

// next returns the next job, or false when every stream is exhausted.
func (s *scheduler) next() (job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		k := -1
		for i, cur := range s.cursors {
			if cur.exhausted && len(cur.pending) == 0 {
				continue
			}
			if k < 0 || s.inflight[i] < s.inflight[k] || (s.inflight[i] == s.inflight[k] && s.busy[i] < s.busy[k]) {
				k = i
			}
		}
		if k < 0 {
			return job{}, false
		}
		if r, ok := s.take(s.cursors[k]); ok {
			s.inflight[k]++
			return job{k, r.Lo, r.Hi}, true
		}
	}
}

// done records that a job of stream k ended after d of work; rest is the
// part of its range it left for a later job (empty when it ran to the end).
func (s *scheduler) done(k int, d time.Duration, rest Range) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight[k]--
	s.busy[k] += d
	if rest.Lo < rest.Hi {
		cur := s.cursors[k]
		cur.pending = append(Ranges{rest}, cur.pending...)
	}
}

func (s *scheduler) take(cur *cursor) (Range, bool) {
	n := int64(max(1, s.shard.Count))
	for len(cur.pending) == 0 {
		if cur.exhausted {
			return Range{}, false
		}
		c := cur.next
		if c >= MaxIndex/s.chunk { // indexes stay below MaxIndex, far from overflow
			cur.exhausted = true
			return Range{}, false
		}
		cur.next += n
		lo, hi := c*s.chunk, (c+1)*s.chunk
		if s.max > 0 {
			if lo >= s.max {
				cur.exhausted = true
				return Range{}, false
			}
			hi = min(hi, s.max)
		}
		cur.pending = cur.done.Gaps(lo, hi)
	}
	r := cur.pending[0]
	cur.pending = cur.pending[1:]
	return r, true
}

// left is how many of a stream's indexes below max the shard has still to
// run.
func (s *scheduler) left(ss *StreamState, max int64) int64 {
	return ownedBelow(s.shard, s.chunk, max) - ss.Done.countBelow(max)
}

func max1(n int) int { return max(1, n) }

// hit is a worker's running count of one signature within a job.
type hit struct {
	stream int
	first  int64 // lowest index
	last   int64
	hits   int64
	seed   uint64
	v      sim.Violation
}

// jobQuantum is how long a job runs before it hands the rest of its range
// back: a chunk of a fast model takes milliseconds, of cgroups seconds, and
// one worker must not spend seconds on one stream while the others wait.
var jobQuantum = 50 * time.Millisecond

// worker runs jobs until the scheduler or the campaign stops.
func (c *session) worker() {
	known := map[string]bool{}
	var rr *raceRunner
	if c.cfg.Isolate {
		rr = &raceRunner{}
		rr.child.Timeout = c.cfg.IsolateTimeout
		defer func() {
			_ = rr.child.Close()
			c.raceRuns.Add(rr.runs)
			c.raceBusy.Add(int64(rr.busy))
		}()
	}
	for !c.stop.Load() {
		j, ok := c.sched.next()
		if !ok {
			return
		}
		st, m := c.streams[j.stream], c.models[j.stream]
		name := st.String()
		hits := map[string]*hit{}
		var order []string
		start := time.Now()
		i := j.lo
		ran := int64(0) // added to c.ran once a job: workers share its cache line
		for ; i < j.hi && !c.stop.Load() && (i == j.lo || time.Since(start) < jobQuantum); i++ {
			seed := caseSeed(c.state.Seed, i)
			cs := m.Generate(newCaseChooser(seed), st.Variant)
			if c.cfg.Keep != nil && !c.cfg.Keep(cs) {
				ran++
				continue
			}
			r, err := cs.Run(sim.NewPRNG(seed), false)
			if err != nil {
				c.fail(fmt.Errorf("%s scenario %d: %w", name, i, err))
				break
			}
			ran++
			if rr != nil {
				d, err := rr.run(cs, st, seed)
				if err != nil {
					c.fail(fmt.Errorf("%s scenario %d, race mode: %w", name, i, err))
					break
				}
				if d != nil {
					c.raced(st, i, seed, d)
				}
			}
			for _, v := range r.Violations {
				sig := signature(name, v)
				h := hits[sig]
				if h == nil {
					h = &hit{stream: j.stream, first: i, last: -1, seed: seed, v: v}
					hits[sig] = h
					order = append(order, sig)
				}
				if h.last != i {
					h.last = i
					h.hits++
				}
				if !known[sig] {
					known[sig] = true
					c.discover(sig, h)
				}
			}
		}
		took := time.Since(start)
		c.ran.Add(ran)
		c.finish(j, i, took, hits, order)
		c.sched.done(j.stream, took, Range{Lo: i, Hi: j.hi})
	}
}

// discover registers a signature a worker has not seen before; when it is
// new to the campaign, the worker shrinks and writes it at once.
func (c *session) discover(sig string, h *hit) {
	st := c.streams[h.stream]
	c.mu.Lock()
	f := c.state.finding(sig)
	if f == nil {
		f = &FindingState{Signature: sig, Model: st.Model, Variant: st.Variant, Invariant: h.v.Invariant,
			Index: h.first, CaseSeed: h.seed, FoundAfterNS: int64(c.offset + time.Since(c.start))}
		c.state.Findings = append(c.state.Findings, f)
	}
	c.mu.Unlock()
	c.lower(sig, h.first, h.seed)
}

// finish records a job's done indexes [j.lo, end) and its hits.
func (c *session) finish(j job, end int64, busy time.Duration, hits map[string]*hit, order []string) {
	c.mu.Lock()
	ss := c.state.Streams[j.stream]
	if overlap := ss.Done.Add(j.lo, end); overlap > 0 {
		c.err = fmt.Errorf("internal error: %s indexes [%d, %d) ran twice", c.streams[j.stream], j.lo, end)
		c.stop.Store(true)
	}
	ss.BusyNS += int64(busy)
	for _, sig := range order {
		c.state.finding(sig).Hits += hits[sig].hits
	}
	c.mu.Unlock()
	for _, sig := range order {
		c.lower(sig, hits[sig].first, hits[sig].seed)
	}
}

// lower makes index the finding's representative when it is lower than the
// current one (or the finding has no file yet), and starts shrinking it in
// the background unless a shrink of that signature is running (which then
// shrinks again), so workers keep searching.
func (c *session) lower(sig string, index int64, seed uint64) {
	c.mu.Lock()
	f := c.state.finding(sig)
	if index < f.Index {
		f.Index, f.CaseSeed = index, seed
		f.File = ""
	}
	if f.File != "" || c.shrinking[sig] {
		c.mu.Unlock()
		return
	}
	c.shrinking[sig] = true
	c.mu.Unlock()
	if c.reserved.Load() { // the time left is for shrinking
		c.stop.Store(true)
	}
	c.shrinks.Add(1)
	go func() {
		defer c.shrinks.Done()
		c.shrinkLoop(sig)
	}()
}
