package stopcheck

import (
	"context"
	"errors"
	"sync"
	"syscall"
	"time"
)

// The SIGKILL back-off of CRI-O's stop loop (internal/oci/runtime_oci.go:
// stopInitialBackoff 20 ms, factor 2, stopMaximumBackoff 2 min; CRI-O adds
// a jitter, left out here so that runs replay).
const (
	killInitialBackoff = 20 * time.Millisecond
	killMaxBackoff     = 2 * time.Minute
)

// CRIOStopper is a correct StopContainer in the manner of CRI-O
// (internal/oci: StopContainer, StopLoopForContainer, WaitOnStopTimeout):
//
//   - the first call starts one stop loop for the container; every call,
//     the first included, waits for that loop to finish;
//   - the loop sends the stop signal through the OCI runtime's kill, then
//     waits for the exit or the deadline;
//   - each call can only move the deadline earlier: the deadline is the
//     minimum of arrival + timeout over the calls;
//   - at the deadline the loop sends SIGKILL, again with exponential
//     back-off until the process is gone; timeout 0 therefore means the
//     stop signal and then SIGKILL at once;
//   - "no such process" from the runtime means already stopped.
//
// Unlike CRI-O, which polls the process every 100 ms and checks liveness
// only on back-off ticks once it is killing, the loop waits on the exit
// notification (Container.Exited), as conmon's exit file allows; and a new
// deadline reaches the loop through a mutex and a one-slot wake-up channel
// that never blocks, so that no number of concurrent calls can fill a
// channel and deadlock the loop (cri-o/cri-o#9256).
type CRIOStopper struct {
	c    Container
	mu   sync.Mutex
	loop *stopLoop
}

// NewCRIOStopper returns a CRIOStopper for c; it is a NewStopper.
func NewCRIOStopper(c Container) Stopper { return &CRIOStopper{c: c} }

// Stop stops the container, joining the stop loop if one runs.
func (s *CRIOStopper) Stop(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	select {
	case <-s.c.Exited():
		return nil
	default:
	}
	s.mu.Lock()
	if s.loop == nil {
		s.loop = newStopLoop(s.c, deadline)
		go s.loop.run()
	} else {
		s.loop.moveDeadline(deadline)
	}
	l := s.loop
	s.mu.Unlock()
	return l.wait(ctx)
}

// stopLoop is one container's stop loop.
type stopLoop struct {
	c     Container
	done  chan struct{} // closed when the process is gone
	moved chan struct{} // one slot: the deadline moved

	mu       sync.Mutex
	deadline time.Time
}

func newStopLoop(c Container, deadline time.Time) *stopLoop {
	return &stopLoop{c: c, done: make(chan struct{}), moved: make(chan struct{}, 1), deadline: deadline}
}

// moveDeadline moves the deadline to d if d is earlier.
func (l *stopLoop) moveDeadline(d time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d.Before(l.deadline) {
		l.deadline = d
		select {
		case l.moved <- struct{}{}:
		default:
		}
	}
}

func (l *stopLoop) current() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.deadline
}

// wait waits for the loop to finish.
func (l *stopLoop) wait(ctx context.Context) error {
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run sends the stop signal, waits for the exit or the deadline, then
// SIGKILLs with back-off until the process is gone.
func (l *stopLoop) run() {
	defer close(l.done)
	if err := l.c.Kill(l.c.StopSignal()); errors.Is(err, ErrNoSuchProcess) {
		return
	}
	// Another kill error leaves the process running as far as we know:
	// wait for the deadline all the same, as CRI-O does.
	timer := time.NewTimer(time.Until(l.current()))
	defer timer.Stop()
	for expired := false; !expired; {
		select {
		case <-l.c.Exited():
			return
		case <-l.moved:
			timer.Reset(time.Until(l.current()))
		case <-timer.C:
			expired = true
		}
	}
	backoff := killInitialBackoff
	for {
		if err := l.c.Kill(syscall.SIGKILL); errors.Is(err, ErrNoSuchProcess) {
			return
		}
		timer.Reset(backoff)
		select {
		case <-l.c.Exited():
			return
		case <-timer.C:
		}
		backoff = min(2*backoff, killMaxBackoff)
	}
}
