package systemd

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// TestShutdownTransaction: units with default dependencies stop in reverse
// After= order with their KillSignal and TimeoutStopUSec; a unit without
// them is left to the final SIGKILL.
func TestShutdownTransaction(t *testing.T) {
	ps := &proc.Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}}
	sd := &Systemd{}
	st := &Stopper{SD: sd, Procs: ps}
	start := func(name string, b proc.Behaviour, props ...Property) *proc.Proc {
		p := ps.Spawn(name, b)
		u, err := sd.StartTransientUnit(name, props)
		if err != nil {
			t.Fatal(err)
		}
		u.PIDs = []int{p.PID}
		return p
	}
	daemon := start("crio.service", proc.Behaviour{OnStop: proc.Handle, Cleanup: time.Second})
	slow := start("slow.scope", proc.Behaviour{OnStop: proc.Handle, Cleanup: time.Minute},
		Property{"After", "crio.service"}, Property{"TimeoutStopUSec", "5000000"}, Property{"KillSignal", "2"})
	loose := start("loose.scope", proc.Behaviour{OnStop: proc.Handle}, Property{"DefaultDependencies", "false"})
	done := false
	st.Shutdown(func() { done = true })
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
	if !done || len(ps.Live()) != 0 || len(sd.Units()) != 1 {
		t.Fatalf("done %v, live %d, units left %s", done, len(ps.Live()), sd)
	}
	if slow.Sent[0].Sig != syscall.SIGINT || slow.KilledBy != syscall.SIGKILL || slow.ExitedAt != 5*time.Second {
		t.Errorf("slow.scope: sent %v, killed by %v at %s; want SIGINT then SIGKILL at 5s", slow.Sent, slow.KilledBy, slow.ExitedAt)
	}
	if daemon.Sent[0].At != 5*time.Second || daemon.ExitedAt != 6*time.Second {
		t.Errorf("crio.service stopped at %s (exit %s): want after slow.scope, at 5s", daemon.Sent[0].At, daemon.ExitedAt)
	}
	if len(loose.Sent) != 1 || loose.Sent[0].Sig != syscall.SIGKILL || loose.ExitedAt != 6*time.Second {
		t.Errorf("loose.scope: sent %v at exit %s; want only the final SIGKILL at 6s", loose.Sent, loose.ExitedAt)
	}
	if !strings.Contains(ps.Trace.Text(), "final kill: SIGKILL to 1 remaining") {
		t.Errorf("trace lacks the final kill:\n%s", ps.Trace.Text())
	}
}

func TestStopWithoutTimeoutWaits(t *testing.T) {
	ps := &proc.Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}}
	sd := &Systemd{}
	p := ps.Spawn("p", proc.Behaviour{OnStop: proc.Handle, Cleanup: 10 * time.Minute})
	u, _ := sd.StartTransientUnit("p.scope", []Property{{"TimeoutStopUSec", "0"}})
	u.PIDs = []int{p.PID}
	stopped := time.Duration(-1)
	(&Stopper{SD: sd, Procs: ps}).Stop(u, func() { stopped = ps.Sched.Now() })
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
	if p.KilledBy != 0 || stopped != 10*time.Minute {
		t.Fatalf("TimeoutStopUSec=0 must wait without SIGKILL: killed by %v, stopped at %s", p.KilledBy, stopped)
	}
}

// TestUnkillableProcessFailsTheUnitAndShutdownGoesOn: a unit whose
// process outlives its SIGKILL (in uninterruptible sleep: the kernel never
// loses a SIGKILL, it waits) fails a TimeoutStopUSec later, and the
// shutdown transaction goes on; the process dies of the pending SIGKILL
// when it wakes.
func TestUnkillableProcessFailsTheUnitAndShutdownGoesOn(t *testing.T) {
	ps := &proc.Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}}
	sd := &Systemd{}
	st := &Stopper{SD: sd, Procs: ps}
	p := ps.Spawn("db", proc.Behaviour{OnStop: proc.Ignore, DFrom: time.Second, DFor: 11 * time.Second})
	u, err := sd.StartTransientUnit("db.scope", []Property{{"TimeoutStopUSec", "5000000"}})
	if err != nil {
		t.Fatal(err)
	}
	u.PIDs = []int{p.PID}
	var doneAt time.Duration = -1
	st.Shutdown(func() { doneAt = ps.Sched.Now() })
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
	if doneAt != 10*time.Second || sd.Unit("db.scope") != nil || !p.Exited || p.ExitedAt != 12*time.Second || p.KilledBy != syscall.SIGKILL {
		t.Fatalf("shutdown done at %s, unit %v, db exited %t at %s by %v; want the shutdown done at 10s and db killed at 12s\n%s",
			doneAt, sd.Unit("db.scope"), p.Exited, p.ExitedAt, p.KilledBy, ps.Trace.Text())
	}
	if !strings.Contains(ps.Trace.Text(), "still around after SIGKILL") {
		t.Errorf("trace lacks the failed unit:\n%s", ps.Trace.Text())
	}
}

// TestEveryStopCallerIsAnsweredWhenTheUnitFails: a second Stop of a unit
// already stopping waits with the first, and a unit given up on after its
// SIGKILL did not end the process (in uninterruptible sleep) answers both.
func TestEveryStopCallerIsAnsweredWhenTheUnitFails(t *testing.T) {
	ps := &proc.Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}}
	sd := &Systemd{}
	st := &Stopper{SD: sd, Procs: ps}
	p := ps.Spawn("db", proc.Behaviour{OnStop: proc.Ignore, DFrom: time.Second, DFor: 11 * time.Second})
	u, err := sd.StartTransientUnit("db.scope", []Property{{"TimeoutStopUSec", "5000000"}})
	if err != nil {
		t.Fatal(err)
	}
	u.PIDs = []int{p.PID}
	answered := 0
	st.Stop(u, func() { answered++ })
	st.Stop(u, func() { answered++ })
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
	if answered != 2 || sd.Unit("db.scope") != nil || !strings.Contains(ps.Trace.Text(), "still around after SIGKILL") {
		t.Fatalf("%d of 2 callers answered, unit %v; want both, the unit given up on\n%s", answered, sd.Unit("db.scope"), ps.Trace.Text())
	}
}
