package signals

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// Stop-loop timing of the CRI server.
const (
	// PollInterval is how often the stop loop checks the container's state
	// (CRI-O's stopProcessWatchSleep) and the first SIGKILL back-off.
	PollInterval = 100 * time.Millisecond
	// MaxKillBackoff caps the back-off between SIGKILLs at the deadline.
	MaxKillBackoff = time.Second
	// HangBound is how long past its own timeout (and any uninterruptible
	// sleep of the process) a StopContainer may stay unanswered before it
	// is a hang rather than a late return; a failure of the OCI runtime to
	// run on its container starts it again.
	HangBound = 30 * time.Second
)

// stopState is CRI-O's stop bookkeeping on a container (internal/oci
// Container): stopLock guards stopping, the timeouts sent to the loop
// (stopTimeoutChan) and the watchers; opLock is held by the stop loop for
// as long as it runs; done is every watcher's channel, closed by
// SetAsDoneStopping.
type stopState struct {
	stopLock, opLock sim.Mutex
	stopping         bool
	killLoopBegun    bool
	timeouts         []time.Duration
	// wake is the stop loop's select: a new timeout, its watch tick, or
	// its deadline.
	wake sim.Queue
	done sim.Latch
	// loopName is the stop loop task's name.
	loopName string
}

// initStop names the stop state's locks and waits, once, at the first
// stop (most containers of a run are never stopped).
func (x *ctr) initStop() {
	if x.stop.opLock.Name != "" {
		return
	}
	n := x.spec.Name
	x.stop.stopLock.Name = "stopLock of " + n
	x.stop.opLock.Name = "opLock of " + n
	x.stop.wake.Name = "a new timeout, the exit or the deadline of " + n
	x.stop.done.Name = "the end of the stop loop of " + n
	x.stop.loopName = "crio stop loop " + n
}

// errNoSuchContainer is StopContainer's answer for an unknown id.
var errNoSuchContainer = errors.New("container not found")

// goTask starts a task of the CRI server; it ends when the server does.
func (c *crio) goTask(name string, fn func(t *sim.Task)) {
	if c.tasks == nil {
		c.tasks = c.taskBuf[:0]
	}
	c.tasks = append(c.tasks, c.w.tasks.Go(name, fn))
}

// exited ends the server's tasks: its process is gone.
func (c *crio) exited() {
	for _, t := range c.tasks {
		c.w.tasks.Kill(t)
	}
	c.tasks = nil
}

// StopContainer is the CRI request handler, a task of its own, with the
// yield points of CRI-O's: the state check (ShouldBeStopped), the process
// check (Living), SetAsStopping under stopLock (the first caller starts
// the stop loop), then WaitOnStopTimeout: under stopLock again, the
// timeout is sent to the loop, which only ever moves its deadline earlier,
// and the caller waits until the loop is done; postStop follows.
func (c *crio) StopContainer(name string, timeout time.Duration, reply func(error)) {
	c.goTask(name, func(t *sim.Task) {
		x := c.lookup(name)
		if x == nil {
			reply(fmt.Errorf("StopContainer %s: %w", name, errNoSuchContainer))
			return
		}
		if x.stopped {
			c.postStop(t, x, reply)
			return
		}
		t.Yield() // Living: the process is looked up, it may exit meanwhile
		if x.proc.Exited {
			c.stoppedNow(x)
			c.postStop(t, x, reply)
			return
		}
		x.initStop()
		st := &x.stop
		st.stopLock.Lock(t)
		first := !st.stopping
		st.stopping = true
		st.stopLock.Unlock(t)
		if first {
			c.goTask(st.loopName, func(t *sim.Task) { c.stopLoop(t, x) })
		}
		st.stopLock.Lock(t)
		if st.done.IsOpen() {
			// The loop is over: nothing will read a timeout or close a
			// watcher any more, so the caller is answered now. CRI-O's
			// WaitOnStopTimeout has no such check (stopping stays true
			// and SetAsDoneStopping closes stopTimeoutChan), so a caller
			// that passed Living just before the loop ended would send on
			// a closed channel; the reference does what a fix would.
			st.stopLock.Unlock(t)
			c.postStop(t, x, reply)
			return
		}
		if !st.killLoopBegun {
			st.timeouts = append(st.timeouts, timeout)
			st.wake.WakeAll()
		}
		st.stopLock.Unlock(t)
		st.done.Wait(t, -1)
		c.postStop(t, x, reply)
	})
}

// stopLoop is CRI-O's StopLoopForContainer around the implementation's
// loop: under opLock, the loop (see StopLoop); then the container is
// stopped and every waiting caller answered (SetAsDoneStopping).
func (c *crio) stopLoop(t *sim.Task, x *ctr) {
	st := &x.stop
	st.opLock.Lock(t)
	c.w.impl.StopLoop.Stop(t, &Stopping{c: c, x: x})
	c.stoppedNow(x)
	st.opLock.Unlock(t)
	st.stopLock.Lock(t)
	st.done.Open()
	st.stopLock.Unlock(t)
}

// Stop is CRI-O's loop: the stop signal through the OCI runtime, a wait
// for the process to be seen gone (its watch ticks every PollInterval), a
// new timeout or the deadline, then SIGKILL with back-off until the
// process is gone.
func (crioLoop) Stop(t *sim.Task, s *Stopping) {
	if err := s.Kill(t, s.StopSignal()); err != nil {
		t.Yield() // Living
		if s.Exited() {
			return
		}
	}
	// CRI-O's watch is a goroutine with a ticker that closes done when it
	// finds the process gone; here the loop's select wakes at each tick
	// and looks itself, which is the same observation at the same times.
	const never = time.Duration(1<<63 - 1)
	target := never
	tick := t.Now() + PollInterval
	for {
		tos := s.Timeouts()
		for _, to := range tos {
			target = min(target, t.Now()+to)
		}
		if len(tos) > 0 && target != never && !s.c.w.trace.Off {
			s.Log("%s: stop deadline %s", s.Name(), sim.FormatDuration(target))
		}
		if t.Now() >= tick {
			tick += PollInterval
			if s.Exited() { // Living
				return
			}
		}
		if t.Now() >= target {
			break
		}
		s.Wait(t, min(target, tick)-t.Now())
	}
	if !s.c.w.trace.Off {
		s.c.w.trace.Send(t.Now(), "crio", "crio", "%s: stop timeout reached", s.Name())
	}
	s.BeginKillLoop()
	backoff := PollInterval
	for {
		_ = s.Kill(t, syscall.SIGKILL)
		t.Yield() // Living
		if s.Exited() {
			return
		}
		t.Sleep(backoff)
		backoff = min(2*backoff, MaxKillBackoff)
		if s.Exited() {
			return
		}
	}
}

// kill runs the OCI runtime's kill; "no such process" means stopped. The
// CRI server executes the node's runtime binary: when that fails, the
// error is the caller's (the reference stop loop drops it, as CRI-O does:
// the stop signal is not sent again; the SIGKILLs after the deadline are
// retried with back-off).
func (c *crio) kill(t *sim.Task, x *ctr, sig syscall.Signal) error {
	w := c.w
	now := t.Now()
	if !w.trace.Off {
		w.trace.Send(now, "crio", "crun", "kill %s %s", x.spec.Name, proc.SignalName(sig))
	}
	if err := w.node.Exec("crun", "kill", x.spec.Name, proc.SignalName(sig)); err != nil {
		if !w.trace.Off {
			w.trace.Send(now, "crun", "crio", "kill %s failed: %v", x.spec.Name, err)
		}
		w.runtimeFailed(x.spec.Name) // the calls waiting on it wait again
		w.oracle.runtimeFailed(x, sig)
		return err
	}
	defer w.oracle.runtimeKill(t, x)()
	return w.impl.Runtime.Kill(t, w.env, x.proc, sig)
}

// stoppedNow records the container as stopped, once.
func (c *crio) stoppedNow(x *ctr) {
	if x.stopped {
		return
	}
	w := c.w
	x.stopped = true
	c.killExecs(x)
	if !w.trace.Off {
		status := "unknown (monitor gone)"
		if x.exitKnown {
			status = fmt.Sprint(x.exitFile)
		}
		if !w.trace.Off {
			w.trace.Add(w.sched.Now(), "crio", "%s stopped, exit status %s", x.spec.Name, status)
		}
	}
	w.oracle.reported(x)
}
