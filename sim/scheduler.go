package sim

import (
	"container/heap"
	"time"
)

// Event is a unit of work scheduled at a virtual time.
type Event struct {
	// At is the virtual time the event runs at.
	At time.Duration
	// Name says what the event is, for the trace.
	Name string
	// Do runs the event. It may schedule further events.
	Do func()

	seq uint64
}

// Scheduler is a discrete-event scheduler on a virtual clock. Events run in
// time order; events due at the same instant are ordered by the Chooser, so
// each interleaving is a choice a seed replays and rapid can shrink.
// The zero value is not usable; call NewScheduler.
type Scheduler struct {
	now     time.Duration
	queue   eventQueue
	seq     uint64
	chooser Chooser
	ties    []*Event
}

// NewScheduler returns a scheduler at virtual time 0 whose ties are broken by c.
func NewScheduler(c Chooser) *Scheduler {
	if c == nil {
		c = Fixed{}
	}
	return &Scheduler{chooser: c}
}

// Now returns the current virtual time.
func (s *Scheduler) Now() time.Duration { return s.now }

// At schedules do to run at virtual time at (never earlier than now).
func (s *Scheduler) At(at time.Duration, name string, do func()) {
	if at < s.now {
		at = s.now
	}
	s.seq++
	heap.Push(&s.queue, &Event{At: at, Name: name, Do: do, seq: s.seq})
}

// After schedules do to run d after the current virtual time.
func (s *Scheduler) After(d time.Duration, name string, do func()) {
	s.At(s.now+d, name, do)
}

// Next removes and returns the next event to run, advancing the clock to its
// time, or nil when nothing is pending. When several events are due at the
// same instant the Chooser picks which runs first.
func (s *Scheduler) Next() *Event {
	if len(s.queue) == 0 {
		return nil
	}
	first := heap.Pop(&s.queue).(*Event)
	s.ties = append(s.ties[:0], first)
	for len(s.queue) > 0 && s.queue[0].At == first.At {
		s.ties = append(s.ties, heap.Pop(&s.queue).(*Event))
	}
	pick := 0
	if len(s.ties) > 1 {
		pick = s.chooser.Intn(len(s.ties))
	}
	ev := s.ties[pick]
	for i, other := range s.ties {
		if i != pick {
			heap.Push(&s.queue, other)
		}
	}
	s.now = ev.At
	return ev
}

type eventQueue []*Event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].At != q[j].At {
		return q[i].At < q[j].At
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*Event)) }
func (q *eventQueue) Pop() any {
	old := *q
	n := len(old)
	ev := old[n-1]
	old[n-1] = nil
	*q = old[:n-1]
	return ev
}
