package sim

import "time"

// Queue is a wait queue: tasks block on it until another wakes them or
// their timeout passes, and then look at the state again, as with a
// sync.Cond or a select on a channel. The zero value is an empty queue;
// Name says what a blocked task waits on ("conmon exit of db").
type Queue struct {
	Name    string
	waiters []*Task
	buf     [2]*Task // where waiters starts
}

// Wait blocks t until the queue is woken or timeout passes (negative: no
// timeout), and reports whether it was woken.
func (q *Queue) Wait(t *Task, timeout time.Duration) bool {
	if q.waiters == nil {
		q.waiters = q.buf[:0]
	}
	q.waiters = append(q.waiters, t)
	// A timeout, or a kill unwinding t, leaves it listed: take it off
	// (a no-op once WakeAll took it).
	defer q.remove(t)
	return t.block(q.Name, timeout)
}

func (q *Queue) remove(t *Task) {
	for i, w := range q.waiters {
		if w == t {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			return
		}
	}
}

// WakeAll makes every waiting task runnable now; the Chooser orders them.
func (q *Queue) WakeAll() {
	ws := q.waiters
	for _, t := range ws {
		t.wake() // schedules t; no task runs meanwhile
	}
	clear(ws)
	q.waiters = ws[:0]
}

// Mutex is a lock between tasks. Lock is a yield point: a task may lose
// the race for a free lock to any other due at the same instant. Unlock
// wakes every waiter and they race again, so who gets the lock next is
// the Chooser's choice, not the queue's order. The zero value is
// unlocked; Name says what a blocked task waits on.
type Mutex struct {
	Name   string
	holder *Task
	q      Queue
}

// Lock takes the lock for t, blocking while another task holds it.
func (m *Mutex) Lock(t *Task) {
	t.Yield()
	for m.holder != nil {
		if m.holder == t {
			panic("sim: Mutex " + m.Name + " locked twice by " + t.Name)
		}
		m.q.Name = m.Name
		m.q.Wait(t, -1)
	}
	m.holder = t
}

// Unlock releases the lock. It panics when t does not hold it.
func (m *Mutex) Unlock(t *Task) {
	if m.holder != t {
		panic("sim: Mutex " + m.Name + " unlocked by " + t.Name + ", which does not hold it")
	}
	m.holder = nil
	m.q.WakeAll()
}

// Latch is a one-shot event, like a channel that is closed once: Wait
// returns at once after Open, and Open wakes every task waiting. The zero
// value is shut; Name says what a blocked task waits on.
type Latch struct {
	Name string
	open bool
	q    Queue
}

// Open opens the latch and wakes every waiter. Opening it again does
// nothing.
func (l *Latch) Open() {
	if l.open {
		return
	}
	l.open = true
	l.q.Name = l.Name
	l.q.WakeAll()
}

// IsOpen reports whether the latch has been opened.
func (l *Latch) IsOpen() bool { return l.open }

// Wait blocks t until the latch opens or timeout passes (negative: no
// timeout), and reports whether it is open.
func (l *Latch) Wait(t *Task, timeout time.Duration) bool {
	if l.open {
		return true
	}
	l.q.Name = l.Name
	l.q.Wait(t, timeout)
	return l.open
}
