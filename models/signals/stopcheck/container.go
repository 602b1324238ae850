package stopcheck

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim/proc"
)

// ErrNoSuchProcess is what the OCI runtime's kill reports when the
// container's process has already exited (ESRCH, "no such process"). A stop
// loop must treat it as "already stopped", never as a failure. Errors
// returned by Container.Kill wrap it; test with errors.Is. It is
// proc.ErrNoSuchProcess, the one error for ESRCH across faultsim, so a stop
// loop tested here and run against the discrete-event signals model checks
// for the same value.
var ErrNoSuchProcess = proc.ErrNoSuchProcess

// Container is what a stop implementation sees of one container: its stop
// signal, the OCI runtime's kill, and the exit notification of its monitor
// (conmon's exit file, containerd's task exit event).
//
// There is deliberately no clock here: implementations use package time.
// Inside the synctest bubble the property runs in, time.Now, time.Sleep,
// time.After, time.NewTimer, time.AfterFunc and context deadlines are all
// virtual, so production stop code runs unchanged, timers and all, and a
// 30 s grace period takes no wall-clock time. An injected clock interface
// would force users to rewrite their code for the test and would miss bugs
// in how the real time package is used (a timer not stopped, a Reset on a
// fired timer, a time.After in a loop).
type Container interface {
	// ID is the container's id, for messages.
	ID() string
	// StopSignal is the signal that asks the process to stop gracefully (the
	// image's STOPSIGNAL, SIGTERM by default).
	StopSignal() syscall.Signal
	// Kill is the OCI runtime's `kill <id> <signal>`: it sends sig to the
	// container's process and returns once the signal is queued, before the
	// process has acted on it. When the process has already exited it
	// returns an error wrapping ErrNoSuchProcess. Signal 0 only checks that
	// the process exists, as kill(2) does.
	Kill(sig syscall.Signal) error
	// Exited is closed when the container's process has exited.
	Exited() <-chan struct{}
}

// Stopper is a StopContainer implementation for one container: it asks the
// process to stop with its stop signal and SIGKILLs it when the grace period
// (timeout) ends. Stop may be called several times, concurrently, also after
// the process is gone; it returns nil once the process has exited.
type Stopper interface {
	Stop(ctx context.Context, timeout time.Duration) error
}

// NewStopper builds the Stopper under test for a container. The property
// calls it once per case, inside the case's synctest bubble.
type NewStopper func(Container) Stopper

// ExitStatus is how a process ended: with an exit code of its own, or
// terminated by a signal.
type ExitStatus struct {
	// Code is the exit code when Signal is 0.
	Code int
	// Signal is the signal that terminated the process, 0 if it exited.
	Signal syscall.Signal
}

// String renders the status as a shell would report it.
func (s ExitStatus) String() string {
	if s.Signal != 0 {
		return fmt.Sprintf("killed by %s (%d)", signalName(s.Signal), 128+int(s.Signal))
	}
	return fmt.Sprintf("exited %d", s.Code)
}

// signalName returns the SIGxxx name of the signals the package uses.
func signalName(sig syscall.Signal) string {
	switch sig {
	case 0:
		return "signal 0"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGUSR1:
		return "SIGUSR1"
	case syscall.SIGUSR2:
		return "SIGUSR2"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGWINCH:
		return "SIGWINCH"
	}
	return fmt.Sprintf("signal %d", int(sig))
}
