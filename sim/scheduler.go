package sim

import (
	"time"

	"github.com/faultsim/faultsim/internal/block"
)

// Label is an event's name in up to four parts, joined only when it is
// read (a trace line names the event a crash happened in), so that a run
// without a trace never builds it: L("kubelet stop ", id) costs no allocation.
type Label [4]string

// L makes a Label from up to four parts (more are dropped).
func L(parts ...string) Label {
	var l Label
	copy(l[:], parts)
	return l
}

// String joins the parts.
func (l Label) String() string { return l[0] + l[1] + l[2] + l[3] }

// Event is a unit of work scheduled at a virtual time.
type Event struct {
	// At is the virtual time the event runs at.
	At time.Duration
	// Name says what the event is, for the trace.
	Name Label
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
	// due holds the events due now, in scheduling order, while any is
	// left: the heap holds none due now then, so a pick among n ties costs
	// no re-heaping and many simultaneous events stay cheap.
	due []*Event
	// cur is the event Next returned last; it is reused with the others
	// in free once the next is asked for.
	cur  *Event
	free []*Event
	// The lists start in these, so a short run allocates none of them.
	dueBuf, freeBuf [4]*Event
	queueBuf        [8]*Event
	// events are allocated a few at a time.
	events block.Of[Event]
}

// eventSlab is how many new events are allocated at once.
const eventSlab = 8

// NewScheduler returns a scheduler at virtual time 0 whose ties are broken by c.
func NewScheduler(c Chooser) *Scheduler {
	if c == nil {
		c = Fixed{}
	}
	s := &Scheduler{chooser: c}
	s.due, s.free, s.queue = s.dueBuf[:0], s.freeBuf[:0], s.queueBuf[:0]
	return s
}

// Now returns the current virtual time.
func (s *Scheduler) Now() time.Duration { return s.now }

// At schedules do to run at virtual time at (never earlier than now).
func (s *Scheduler) At(at time.Duration, name string, do func()) {
	s.AtLabel(at, Label{name}, do)
}

// AtLabel is At with a name built only when read.
func (s *Scheduler) AtLabel(at time.Duration, name Label, do func()) {
	if at < s.now {
		at = s.now
	}
	s.seq++
	var ev *Event
	if n := len(s.free); n > 0 {
		ev, s.free = s.free[n-1], s.free[:n-1]
	} else {
		ev = s.events.New(eventSlab)
	}
	*ev = Event{At: at, Name: name, Do: do, seq: s.seq}
	if len(s.due) > 0 && at == s.now {
		s.due = append(s.due, ev) // the latest scheduled: last in order
		return
	}
	s.queue.push(ev)
}

// After schedules do to run d after the current virtual time.
func (s *Scheduler) After(d time.Duration, name string, do func()) {
	s.AtLabel(s.now+d, Label{name}, do)
}

// AfterLabel is After with a name built only when read.
func (s *Scheduler) AfterLabel(d time.Duration, name Label, do func()) {
	s.AtLabel(s.now+d, name, do)
}

// Next removes and returns the next event to run, advancing the clock to its
// time, or nil when nothing is pending. When several events are due at the
// same instant the Chooser picks which runs first. The event returned is
// the scheduler's: it is reused after the next call of Next.
func (s *Scheduler) Next() *Event {
	if s.cur != nil {
		*s.cur = Event{} // drop the closure
		s.free = append(s.free, s.cur)
		s.cur = nil
	}
	if len(s.due) == 0 {
		if len(s.queue) == 0 {
			return nil
		}
		first := s.queue.pop()
		s.due = append(s.due, first)
		for len(s.queue) > 0 && s.queue[0].At == first.At {
			s.due = append(s.due, s.queue.pop())
		}
		s.now = first.At
	}
	pick := 0
	if len(s.due) > 1 {
		pick = s.chooser.Intn(len(s.due))
	}
	s.cur = s.due[pick]
	n := len(s.due) - 1
	copy(s.due[pick:], s.due[pick+1:])
	s.due[n] = nil
	s.due = s.due[:n]
	return s.cur
}

// alone reports whether an event scheduled now for at would be the next
// Next returns, with no other event due at its time: nothing is due now
// and everything queued is due later.
func (s *Scheduler) alone(at time.Duration) bool {
	return len(s.due) == 0 && (len(s.queue) == 0 || s.queue[0].At > at)
}

// eventQueue is a binary min-heap of events by time, then scheduling order.
type eventQueue []*Event

func (q eventQueue) less(i, j int) bool {
	if q[i].At != q[j].At {
		return q[i].At < q[j].At
	}
	return q[i].seq < q[j].seq
}

func (q *eventQueue) push(ev *Event) {
	*q = append(*q, ev)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *eventQueue) pop() *Event {
	h := *q
	n := len(h) - 1
	top := h[0]
	h[0] = h[n]
	h[n] = nil
	h = h[:n]
	for i := 0; ; {
		l, smallest := 2*i+1, i
		if l < n && h.less(l, smallest) {
			smallest = l
		}
		if r := l + 1; r < n && h.less(r, smallest) {
			smallest = r
		}
		if smallest == i {
			break
		}
		h[i], h[smallest] = h[smallest], h[i]
		i = smallest
	}
	*q = h
	return top
}
