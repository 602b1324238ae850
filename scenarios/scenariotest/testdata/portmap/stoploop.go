package portmap

import (
	"syscall"
	"time"

	"github.com/faultsim/faultsim/models/signals"
	"github.com/faultsim/faultsim/sim"
)

// StopLoop is a CRI server's stop loop of a user's own, plugged into the
// signals model: the stop signal, then a look every 100 ms until the
// deadline (the earliest the StopContainer calls asked for), then SIGKILL
// every 200 ms until the process is gone. The broken one never sends
// SIGKILL: a process that ignores its stop signal is never stopped.
type StopLoop struct{ NoKill bool }

// Stop implements signals.StopLoop.
func (l StopLoop) Stop(t *sim.Task, s *signals.Stopping) {
	_ = s.Kill(t, s.StopSignal())
	const poll = 100 * time.Millisecond
	deadline := time.Duration(1<<63 - 1)
	for {
		t.Yield() // the process is looked up
		if s.Exited() {
			return
		}
		for _, to := range s.Timeouts() {
			deadline = min(deadline, t.Now()+to)
		}
		if t.Now() < deadline {
			s.Wait(t, min(poll, deadline-t.Now()))
			continue
		}
		if !l.NoKill {
			s.BeginKillLoop()
			_ = s.Kill(t, syscall.SIGKILL)
		}
		t.Sleep(2 * poll)
	}
}
