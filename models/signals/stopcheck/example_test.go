package stopcheck_test

import (
	"context"
	"errors"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/faultsim/faultsim/models/signals/stopcheck"
)

// containerdStopper is a user's own StopContainer, written with package
// time as production code is, in the manner of containerd's CRI plugin: the
// stop signal is sent at most once per container, each call waits for its
// own timeout and then SIGKILLs, and timeout 0 means SIGKILL only.
type containerdStopper struct {
	c         stopcheck.Container
	signalled atomic.Bool
}

func newContainerdStopper(c stopcheck.Container) stopcheck.Stopper {
	return &containerdStopper{c: c}
}

func (s *containerdStopper) Stop(ctx context.Context, timeout time.Duration) error {
	if timeout > 0 {
		if s.signalled.CompareAndSwap(false, true) {
			if err := s.kill(s.c.StopSignal()); err != nil {
				return err
			}
		}
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		select {
		case <-s.c.Exited():
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
	}
	if err := s.kill(syscall.SIGKILL); err != nil {
		return err
	}
	select {
	case <-s.c.Exited():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// kill sends a signal; "no such process" means the container has stopped.
func (s *containerdStopper) kill(sig syscall.Signal) error {
	if err := s.c.Kill(sig); err != nil && !errors.Is(err, stopcheck.ErrNoSuchProcess) {
		return err
	}
	return nil
}

// Plug a StopContainer implementation into the property: in a _test.go file
// of the package that implements it, one line checks it against every
// invariant, in virtual time, with shrinking.
func Example() {
	testStopContainer := func(t *testing.T) {
		stopcheck.Conformance(t, newContainerdStopper)
	}
	_ = testStopContainer
}
