package sim

import (
	"slices"
	"testing"
	"time"
)

// naiveScheduler is the scheduler's contract in its plainest form: the
// events due earliest, in scheduling order, one picked by the chooser.
type naiveScheduler struct {
	now    time.Duration
	events []Event
	seq    uint64
	ch     Chooser
}

func (n *naiveScheduler) at(at time.Duration, do func()) {
	n.seq++
	n.events = append(n.events, Event{At: max(at, n.now), Do: do, seq: n.seq})
}

func (n *naiveScheduler) next() *Event {
	if len(n.events) == 0 {
		return nil
	}
	first := slices.MinFunc(n.events, func(a, b Event) int { return int(a.At - b.At) }).At
	var ties []int
	for i, ev := range n.events {
		if ev.At == first {
			ties = append(ties, i)
		}
	}
	pick := 0
	if len(ties) > 1 {
		pick = n.ch.Intn(len(ties))
	}
	ev := n.events[ties[pick]]
	n.events = slices.Delete(n.events, ties[pick], ties[pick]+1)
	n.now = ev.At
	return &ev
}

// TestSchedulerOrderMatchesContract runs random schedules, with events that
// schedule more at the same instant, earlier and later, on the scheduler and
// on the naive one, and requires the same order of events.
func TestSchedulerOrderMatchesContract(t *testing.T) {
	for seed := range uint64(300) {
		draw := NewPRNG(seed)
		s := NewScheduler(NewPRNG(seed + 1000))
		n := &naiveScheduler{ch: NewPRNG(seed + 1000)}
		var gotOrder, wantOrder []int
		id := 0
		var add func(sched func(time.Duration, func()), log *[]int, base time.Duration, depth int, ids *int)
		add = func(sched func(time.Duration, func()), log *[]int, base time.Duration, depth int, ids *int) {
			*ids++
			me := *ids
			at := base + time.Duration(draw.Intn(3))*time.Second - time.Second
			children := 0
			if depth < 3 {
				children = draw.Intn(3)
			}
			sched(at, func() {
				*log = append(*log, me)
				for range children {
					add(sched, log, at, depth+1, ids)
				}
			})
		}
		// The same draws for both: generate the tree once per scheduler
		// from identically seeded draw sources.
		for _, run := range []struct {
			sched func(time.Duration, func())
			next  func() *Event
			log   *[]int
		}{
			{func(at time.Duration, do func()) { s.At(at, "e", do) }, s.Next, &gotOrder},
			{n.at, n.next, &wantOrder},
		} {
			draw = NewPRNG(seed)
			id = 0
			for range 1 + draw.Intn(20) {
				add(run.sched, run.log, time.Duration(draw.Intn(4))*time.Second, 0, &id)
			}
			for ev := run.next(); ev != nil; ev = run.next() {
				ev.Do()
			}
		}
		if !slices.Equal(gotOrder, wantOrder) {
			t.Fatalf("seed %d: events ran in order %v, want %v", seed, gotOrder, wantOrder)
		}
	}
}
