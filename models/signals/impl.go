package signals

import (
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
	"github.com/faultsim/faultsim/sim/proc"
)

// Impl is an implementation of the model's parts: the OCI runtime (its
// scopes and its kill), the monitor watching each container's exit
// (conmon) and the CRI server's stop loop. A nil part is the reference's
// (crun 1.17, conmon, CRI-O's stop loop). See the package documentation
// for what each part is given and must do.
type Impl struct {
	// Scope is how the OCI runtime builds a container's scope (nil:
	// NewCrun117).
	Scope ScopeBuilder
	// AskKillSignal: the CRI server asks for the stop signal as the
	// scope's KillSignal, so a stop by systemd sends it too.
	AskKillSignal bool
	// Runtime is the OCI runtime's kill (nil: crun's).
	Runtime Runtime
	// Monitor is the watch of each container's exit (nil: conmon's).
	Monitor Monitor
	// StopLoop is the CRI server's stop of one container (nil: CRI-O's).
	StopLoop StopLoop
	// KillAll is the OCI runtime's kill --all (nil: crun's).
	KillAll KillAll
}

// Runtime is the OCI runtime's `kill <id> <signal>` once the CRI server
// has executed it (a tool fault on the runtime's binary fails the call
// before Kill runs). Kill must signal the container's process p with sig
// through env.Procs, and return an error wrapping proc.ErrNoSuchProcess
// when the process is gone. It may yield (t.Yield) between looking the
// process up and signalling it, as crun does. A runtime that works as crun
// does from the container's state file reads only p.PID and
// p.StartTicks(): by then the pid may name another process, and a signal
// that reaches one breaks runtime-signals-own-container.
type Runtime interface {
	Kill(t *sim.Task, env *Env, p *proc.Proc, sig syscall.Signal) error
}

// Monitor is the watch of one container's exit (conmon's). The node calls
// ProcessExited when the container's process exits while the monitor's
// own process runs (a dead monitor writes nothing); it returns the exit
// status it writes to the container's exit file, which the CRI server
// reports, or ok false when it writes none.
type Monitor interface {
	ProcessExited(container string, status int) (exitFile int, ok bool)
}

// ExecKiller is implemented by a Monitor that also runs ExecSync's
// commands: ExecTimedOut is called when a command p runs past the call's
// timeout, just before the call answers "command timed out"; it must
// SIGKILL the command (and what it forked in its process group) through
// env.Procs, naming itself as monitor. A Monitor without it kills as
// conmon does: the command's process group, or the command alone when
// that group would be 1.
type ExecKiller interface {
	ExecTimedOut(env *Env, monitor string, p *proc.Proc)
}

// StopLoop is the CRI server's stop of one container (CRI-O's
// StopLoopForContainer). The CRI server starts it once, at the first
// StopContainer call, holding the container's opLock; Stop must send the
// stop signal, SIGKILL at the deadline (the earliest arrival + timeout of
// the calls so far, which only moves earlier) until the process is gone,
// and return only once it is gone: every waiting call is answered then.
type StopLoop interface {
	Stop(t *sim.Task, s *Stopping)
}

// Env is what the parts are given of the node: its tools, kernel and
// features, and its processes (signals, exits).
type Env struct {
	Node  *node.Node
	Procs *proc.Procs
	w     *world
}

// Log adds a trace line of actor (nothing when the trace is off).
func (e *Env) Log(actor, format string, args ...any) {
	if !e.w.trace.Off {
		e.w.trace.Add(e.w.sched.Now(), actor, format, args...)
	}
}

// Stopping is a stop loop's view of the container it stops.
type Stopping struct {
	c *crio
	x *ctr
}

// Name is the container's name.
func (s *Stopping) Name() string { return s.x.spec.Name }

// StopSignal is the container's stop signal.
func (s *Stopping) StopSignal() syscall.Signal { return s.x.proc.StopSignal() }

// Kill has the OCI runtime send sig to the container's process. An error
// wrapping proc.ErrNoSuchProcess means the process is gone; another means
// the runtime failed (its binary failed to run, for one).
func (s *Stopping) Kill(t *sim.Task, sig syscall.Signal) error { return s.c.kill(t, s.x, sig) }

// Exited reports whether the container's process is gone (CRI-O's
// Living). Reading it is not a yield point: call t.Yield before it where
// the real code makes a system call.
func (s *Stopping) Exited() bool { return s.x.proc.Exited }

// Timeouts returns the timeouts the StopContainer calls sent the loop
// since the last call (CRI-O's stopTimeoutChan), in arrival order, each to
// be counted from now.
func (s *Stopping) Timeouts() []time.Duration {
	st := &s.x.stop
	out := append([]time.Duration(nil), st.timeouts...)
	st.timeouts = st.timeouts[:0]
	return out
}

// Wait blocks until a StopContainer call sends a timeout or d passes
// (negative: no limit); it reports whether a timeout came.
func (s *Stopping) Wait(t *sim.Task, d time.Duration) bool { return s.x.stop.wake.Wait(t, d) }

// BeginKillLoop marks the deadline as passed: calls arriving from now on
// send no timeout and only wait for the loop to end (CRI-O's
// stopKillLoopBegun).
func (s *Stopping) BeginKillLoop() { s.x.stop.killLoopBegun = true }

// Log adds a trace line of the CRI server.
func (s *Stopping) Log(format string, args ...any) { s.c.w.env.Log("crio", format, args...) }

// crunKill is the reference runtime's kill; conmonWatch the reference
// monitor; crioLoop the reference stop loop.
type (
	crunKill    struct{}
	conmonWatch struct{}
	crioLoop    struct{}
)

// ProcessExited writes the process's own status.
func (conmonWatch) ProcessExited(_ string, status int) (int, bool) { return status, true }

// parts fills in the reference's parts where the implementation has none.
func (im Impl) parts() Impl {
	if im.Scope == nil {
		im.Scope = NewCrun117
	}
	if im.Runtime == nil {
		im.Runtime = crunKill{}
	}
	if im.Monitor == nil {
		im.Monitor = conmonWatch{}
	}
	if im.StopLoop == nil {
		im.StopLoop = crioLoop{}
	}
	if im.KillAll == nil {
		im.KillAll = crunKillAll{}
	}
	return im
}
