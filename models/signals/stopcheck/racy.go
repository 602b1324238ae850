package stopcheck

import (
	"context"
	"sync"
	"time"
)

// RacyStopper is a deliberately wrong StopContainer: CRI-O 1.29.1's lock
// contention between concurrent stops (cri-o/cri-o#8030, "Stopping a
// container blocks all further stop attempts for the same container"; fixed
// by cri-o/cri-o#8300 and its backports to 1.26-1.30).
//
// The stop loop holds the container's op lock for as long as it runs, and
// every StopContainer first checks whether the container is already stopped
// (ShouldBeStopped) by reading the container state under that same lock.
// The first call starts the loop, which takes the lock. A second call, made
// to cut the grace period short (in the issue, `crictl stop -t 0` while
// `crictl stop -t 300` waits on a database that takes its time over
// SIGTERM), blocks on the lock before it can move the deadline earlier, so
// the process is SIGKILLed only at the first call's deadline and the second
// call returns that late (the client timed out instead).
//
// Whether a call gets stuck depends on whether the loop's goroutine took
// the lock before the call read the state: a race, which calls at different
// virtual instants lose deterministically. The stop loop itself is
// CRIOStopper's; only the lock differs. There is no data race: the state is
// read and written under the lock, so -race stays quiet, as it did on the
// real bug.
//
// CRI-O's op lock is a sync.RWMutex; here it is a one-slot channel. A
// goroutine blocked on a sync.Mutex is not durably blocked for synctest, so
// a mutex held across a grace period would stop virtual time altogether
// (the package documentation says more); a channel blocks durably and keeps
// the semantics that matter: one holder, everyone else waits.
type RacyStopper struct {
	c Container

	opLock  chan struct{} // one slot: held by the stop loop while it runs
	stopped bool          // guarded by opLock

	mu   sync.Mutex
	loop *stopLoop
}

// NewRacyStopper returns a RacyStopper for c; it is a NewStopper.
func NewRacyStopper(c Container) Stopper {
	return &RacyStopper{c: c, opLock: make(chan struct{}, 1)}
}

// Stop stops the container; a call made while the loop runs blocks until
// the loop ends, whatever its own timeout.
func (s *RacyStopper) Stop(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	// ShouldBeStopped: the state is read under the op lock.
	s.opLock <- struct{}{}
	stopped := s.stopped
	<-s.opLock
	if stopped {
		return nil
	}
	select {
	case <-s.c.Exited():
		return nil
	default:
	}
	s.mu.Lock()
	if s.loop == nil {
		l := newStopLoop(s.c, deadline)
		s.loop = l
		go func() {
			s.opLock <- struct{}{}
			l.run()
			s.stopped = true
			<-s.opLock
		}()
	} else {
		s.loop.moveDeadline(deadline)
	}
	l := s.loop
	s.mu.Unlock()
	return l.wait(ctx)
}
