package signals

import (
	"syscall"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
)

// The values the generator draws from; the simplest come first, since
// rapid shrinks draws towards 0.
var (
	graces       = []time.Duration{30 * time.Second, 2 * time.Second, 5 * time.Second, time.Second, 10 * time.Second}
	cleanups     = []time.Duration{time.Second, 0, 500 * time.Millisecond, 3 * time.Second, 10 * time.Second, 45 * time.Second}
	timeouts     = []time.Duration{10 * time.Second, 0, time.Second, 2 * time.Second, 30 * time.Second}
	gaps         = []time.Duration{time.Second, 0, 2 * time.Second, 5 * time.Second, 100 * time.Millisecond}
	delays       = []time.Duration{100 * time.Millisecond, 50 * time.Millisecond, 500 * time.Millisecond}
	stopSignals  = []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT}
	systemds     = []int{257, 252, 219}
	shutdownGPs  = []time.Duration{0, 10 * time.Second, 30 * time.Second, 5 * time.Second}
	containerIDs = []string{"db", "web", "cache"}
)

// Generate draws a case for a variant: the containers, the node's
// configuration, the faults and the stop calls. Every list item is one draw
// whose value 0 means "no more", and every fault its own toggle, so rapid
// deletes items by lowering draws and a seed replays the same case.
func Generate(c sim.Chooser, variant string) *Case {
	cs := &Case{Variant: variant}
	cs.Config.SystemdVersion = systemds[c.Intn(len(systemds))]
	cs.Config.ShutdownGracePeriod = shutdownGPs[c.Intn(len(shutdownGPs))]
	for i, name := range containerIDs {
		if i > 0 && c.Intn(2) == 0 {
			break
		}
		ct := Container{Name: name, Grace: graces[c.Intn(len(graces))], Cleanup: cleanups[c.Intn(len(cleanups))]}
		if s := stopSignals[c.Intn(len(stopSignals))]; s != syscall.SIGTERM {
			ct.StopSignal = s
		}
		cs.Containers = append(cs.Containers, ct)
	}
	pick := func() string { return cs.Containers[c.Intn(len(cs.Containers))].Name }
	var at time.Duration
	for i := 0; i < 4; i++ {
		x := c.Intn(4) // 0: no more steps
		if x == 0 {
			break
		}
		at += gaps[c.Intn(len(gaps))]
		switch x {
		case 1:
			cs.Steps = append(cs.Steps, Step{At: at, Op: OpStop, Container: pick(), Timeout: timeouts[c.Intn(len(timeouts))]})
		case 2:
			cs.Steps = append(cs.Steps, Step{At: at, Op: OpDelete, Container: pick()})
		case 3:
			cs.Steps = append(cs.Steps, Step{At: at, Op: OpShutdown})
		}
	}
	times := []time.Duration{at, 0, time.Second, 5 * time.Second}
	// Each fault is its own toggle (1 in 6), drawn after the steps so its
	// times can line up with theirs (races at the same instant).
	if c.Intn(6) == 1 {
		cs.Faults = append(cs.Faults, faults.SignalDrop{Nth: 1 + c.Intn(4)})
	}
	if c.Intn(6) == 1 {
		cs.Faults = append(cs.Faults, faults.SignalDelay{Nth: 1 + c.Intn(4), Delay: delays[c.Intn(len(delays))]})
	}
	if c.Intn(6) == 1 {
		cs.Faults = append(cs.Faults, faults.SignalDup{Nth: 1 + c.Intn(4)})
	}
	if c.Intn(6) == 1 {
		cs.Faults = append(cs.Faults, faults.SignalReorder{Nth: 1 + c.Intn(4)})
	}
	if c.Intn(6) == 1 {
		cs.Faults = append(cs.Faults, faults.ExitAtDeadline{Container: pick()})
	}
	if c.Intn(6) == 1 {
		cs.Faults = append(cs.Faults, faults.IgnoresStopSignal{Container: pick()})
	}
	if c.Intn(6) == 1 {
		cs.Faults = append(cs.Faults, faults.DiesOnStopSignal{Container: pick()})
	}
	if c.Intn(6) == 1 {
		cs.Faults = append(cs.Faults, faults.DState{Container: pick(), At: times[c.Intn(len(times))], For: []time.Duration{time.Second, 3 * time.Second}[c.Intn(2)]})
	}
	if c.Intn(6) == 1 {
		cs.Faults = append(cs.Faults, faults.ExitsOnItsOwn{Container: pick(), At: times[c.Intn(len(times))]})
	}
	if c.Intn(6) == 1 {
		cs.Faults = append(cs.Faults, faults.MonitorDies{Container: pick(), At: times[c.Intn(len(times))]})
	}
	return cs
}
