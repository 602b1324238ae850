package systemd

import (
	"syscall"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// Stopper stops units on the node's processes in virtual time, as systemd's
// job engine does: the unit's KillSignal to its processes, a wait of up to
// TimeoutStopUSec for them to exit, then SIGKILL to what is left and, if
// something is still there a TimeoutStopUSec later, the unit fails.
type Stopper struct {
	SD    *Systemd
	Procs *proc.Procs
}

// Stop stops a unit and calls done once its processes are gone and the unit
// is removed. Stopping a unit that is already stopping only adds done.
func (st *Stopper) Stop(u *Unit, done func()) {
	sched, trace := st.Procs.Sched, st.Procs.Trace
	if u.State == Deactivating {
		u.stopped = append(u.stopped, done)
		return
	}
	u.stoppedBuf[0] = done
	u.State, u.stopped = Deactivating, u.stoppedBuf[:]
	if !trace.Off {
		trace.Add(sched.Now(), "systemd", "stopping %s: %s, then SIGKILL after %s", u.Name,
			proc.SignalName(u.KillSignal()), sim.FormatDuration(u.TimeoutStop()))
	}
	var buf [2]*proc.Proc
	for _, p := range st.live(buf[:0], u) {
		_ = st.Procs.Kill("systemd", p, u.KillSignal()) // an exited process needs nothing
	}
	us := &unitStop{st: st, u: u}
	st.whenGone(u, func() { us.finish("%s stopped") })
	if u.TimeoutStop() == 0 {
		return // TimeoutStopUSec=0: no timeout, no SIGKILL
	}
	sched.AfterLabel(u.TimeoutStop(), sim.L(u.Name, " stop timeout"), func() {
		if us.finished {
			return
		}
		var buf [2]*proc.Proc
		live := st.live(buf[:0], u)
		if len(live) > 0 {
			if !trace.Off {
				trace.Add(sched.Now(), "systemd", "%s: stop timed out, sending SIGKILL", u.Name)
			}
		}
		for _, p := range live {
			_ = st.Procs.Kill("systemd", p, syscall.SIGKILL)
		}
		if len(live) == 0 {
			return
		}
		// As scope.c and service.c do: a unit whose processes are still
		// there a TimeoutStopUSec after the SIGKILL is given up on (failed)
		// and the job finishes, so a SIGKILL that does not end a process (one in
		// uninterruptible sleep) cannot stall a shutdown.
		sched.AfterLabel(u.TimeoutStop(), sim.L(u.Name, " final timeout"), func() {
			us.finish("%s: processes still around after SIGKILL, ignoring: unit failed")
		})
	})
}

// unitStop is a Stop of a unit under way.
type unitStop struct {
	st       *Stopper
	u        *Unit
	finished bool
}

// finish removes the unit, once, and answers every caller of Stop.
func (us *unitStop) finish(format string) {
	if us.finished {
		return
	}
	us.finished = true
	st, u := us.st, us.u
	_ = st.SD.Remove(u.Name)
	if trace := st.Procs.Trace; !trace.Off {
		trace.Add(st.Procs.Sched.Now(), "systemd", format, u.Name)
	}
	callers := u.stopped
	u.stopped = nil
	for _, d := range callers {
		d()
	}
}

// live appends the unit's processes still running to out.
func (st *Stopper) live(out []*proc.Proc, u *Unit) []*proc.Proc {
	for _, pid := range u.PIDs {
		if p := st.Procs.Get(pid); p != nil && !p.Exited {
			out = append(out, p)
		}
	}
	return out
}

// whenGone calls fn once every process of u has exited.
func (st *Stopper) whenGone(u *Unit, fn func()) {
	var buf [2]*proc.Proc
	live := st.live(buf[:0], u)
	if len(live) == 0 {
		fn()
		return
	}
	left := len(live)
	for _, p := range live {
		p.Watch(func(*proc.Proc) {
			if left--; left == 0 {
				fn()
			}
		})
	}
}

// Shutdown runs the node-shutdown transaction: every unit with default
// dependencies is stopped, a unit ordered After= another being stopped
// before it (stop order is the reverse of start order); units without
// default dependencies are not part of it. At the end whatever is left is
// killed with SIGKILL, and done is called.
func (st *Stopper) Shutdown(done func()) {
	sched, trace := st.Procs.Sched, st.Procs.Trace
	trace.Add(sched.Now(), "systemd", "shutdown transaction: stopping units with default dependencies")
	// The units in the transaction, in start order; left is how many are
	// still pending (not yet stopped).
	units := make([]shutdownUnit, 0, len(st.SD.units))
	for _, u := range st.SD.units {
		if u.DefaultDependencies() {
			units = append(units, shutdownUnit{u: u, pending: true})
		}
	}
	left := len(units)
	var step func()
	step = func() {
		if left == 0 {
			live := st.Procs.Live()
			if len(live) > 0 {
				if !trace.Off {
					trace.Add(sched.Now(), "systemd", "final kill: SIGKILL to %d remaining process(es)", len(live))
				}
			}
			for _, p := range live {
				_ = st.Procs.Kill("systemd", p, syscall.SIGKILL)
			}
			trace.Add(sched.Now(), "systemd", "shutdown complete")
			done()
			return
		}
		for i := range units {
			su := &units[i]
			if !su.pending || su.stopping || waitsFor(su.u, units) {
				continue
			}
			su.stopping = true
			st.Stop(su.u, func() {
				su.pending = false
				left--
				step()
			})
		}
	}
	step()
}

// shutdownUnit is a unit in the shutdown transaction: pending until it
// has stopped, stopping once its stop has begun.
type shutdownUnit struct {
	u                 *Unit
	pending, stopping bool
}

// waitsFor reports whether a pending unit ordered After= u has yet to stop:
// such a unit stops first.
func waitsFor(u *Unit, units []shutdownUnit) bool {
	for _, other := range units {
		if other.pending && other.u != u && other.u.OrderedAfter(u.Name) {
			return true
		}
	}
	return false
}
