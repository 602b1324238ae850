package signals

import (
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// BehaviourFault reshapes how one container's process reacts to signals
// and time. grace is the container's grace period, for faults defined
// relative to it.
type BehaviourFault interface {
	faults.Fault
	Target() string
	ApplyBehaviour(b *proc.Behaviour, grace time.Duration)
}

func processFaultSpecs() (specs []faults.Spec) {
	container := faults.Param{Name: "container", Type: faults.String, Summary: "the container whose process it changes"}
	specs = append(specs, faults.Spec{
		Name: "slow-exit", Kind: faults.Process,
		Summary: "the process handles its stop signal and needs this long to clean up and exit",
		Params:  []faults.Param{container, {Name: "after", Type: faults.Duration, Summary: "cleanup time after the stop signal"}},
		Build: func(a faults.Args) (faults.Fault, error) {
			return SlowExit{Container: a.Get("container"), After: a.Duration("after")}, nil
		},
	})
	specs = append(specs, faults.Spec{
		Name: "exit-at-deadline", Kind: faults.Timing,
		Summary: "the process's cleanup takes exactly its grace period: its exit and the stop timer fire at the same instant",
		Params:  []faults.Param{container},
		Build:   func(a faults.Args) (faults.Fault, error) { return ExitAtDeadline{Container: a.Get("container")}, nil },
	})
	specs = append(specs, faults.Spec{
		Name: "ignores-stop-signal", Kind: faults.Process,
		Summary: "the process ignores its stop signal; only SIGKILL ends it",
		Params:  []faults.Param{container},
		Build: func(a faults.Args) (faults.Fault, error) {
			return IgnoresStopSignal{Container: a.Get("container")}, nil
		},
	})
	specs = append(specs, faults.Spec{
		Name: "dies-on-stop-signal", Kind: faults.Process,
		Summary: "the process has no handler: its stop signal's default action kills it at once (a pid namespace's init is spared: the kernel drops the signal)",
		Params:  []faults.Param{container},
		Build:   func(a faults.Args) (faults.Fault, error) { return DiesOnStopSignal{Container: a.Get("container")}, nil },
	})
	specs = append(specs, faults.Spec{
		Name: "d-state", Kind: faults.Process,
		Summary: "the process sits in uninterruptible sleep: every signal, SIGKILL too, waits until it wakes",
		Params: []faults.Param{container, {Name: "at", Type: faults.Duration, Summary: "when it enters D state (from its start)"},
			{Name: "for", Type: faults.Duration, Summary: "how long it stays (at most 5s)"}},
		Build: func(a faults.Args) (faults.Fault, error) {
			return DState{Container: a.Get("container"), At: a.Duration("at"), For: a.Duration("for")}, nil
		},
	})
	specs = append(specs, faults.Spec{
		Name: "exits-on-its-own", Kind: faults.Timing,
		Summary: "the process exits 0 by itself at a time (e.g. between the runtime's liveness check and its kill)",
		Params:  []faults.Param{container, {Name: "at", Type: faults.Duration, Summary: "virtual time of the exit"}},
		Build: func(a faults.Args) (faults.Fault, error) {
			return ExitsOnItsOwn{Container: a.Get("container"), At: a.Duration("at")}, nil
		},
	})
	specs = append(specs, faults.Spec{
		Name: "monitor-dies", Kind: faults.Process,
		Summary: "the container's monitor (conmon) is killed: nobody records the exit status",
		Params:  []faults.Param{container, {Name: "at", Type: faults.Duration, Summary: "virtual time it dies"}},
		Build: func(a faults.Args) (faults.Fault, error) {
			return MonitorDies{Container: a.Get("container"), At: a.Duration("at")}, nil
		},
	})
	return append(specs, startupFaultSpecs()...)
}

// MaxDState bounds d-state: longer sleeps are hung tasks, not races.
const MaxDState = 5 * time.Second

// SlowExit sets the process's cleanup time.
type SlowExit struct {
	Container string
	After     time.Duration
}

// Name implements Fault.
func (SlowExit) Name() string { return "slow-exit" }

// Args implements Fault.
func (f SlowExit) Args() faults.Args {
	return faults.Args{{Name: "container", Value: f.Container}, {Name: "after", Value: sim.FormatDuration(f.After)}}
}

// Target implements BehaviourFault.
func (f SlowExit) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault.
func (f SlowExit) ApplyBehaviour(b *proc.Behaviour, _ time.Duration) {
	b.OnStop, b.Cleanup = proc.Handle, f.After
}

// ExitAtDeadline makes the cleanup last exactly the grace period.
type ExitAtDeadline struct{ Container string }

// Name implements Fault.
func (ExitAtDeadline) Name() string { return "exit-at-deadline" }

// Args implements Fault.
func (f ExitAtDeadline) Args() faults.Args {
	return faults.Args{{Name: "container", Value: f.Container}}
}

// Target implements BehaviourFault.
func (f ExitAtDeadline) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault.
func (f ExitAtDeadline) ApplyBehaviour(b *proc.Behaviour, grace time.Duration) {
	b.OnStop, b.Cleanup = proc.Handle, grace
}

// IgnoresStopSignal makes the process ignore its stop signal.
type IgnoresStopSignal struct{ Container string }

// Name implements Fault.
func (IgnoresStopSignal) Name() string { return "ignores-stop-signal" }

// Args implements Fault.
func (f IgnoresStopSignal) Args() faults.Args {
	return faults.Args{{Name: "container", Value: f.Container}}
}

// Target implements BehaviourFault.
func (f IgnoresStopSignal) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault.
func (f IgnoresStopSignal) ApplyBehaviour(b *proc.Behaviour, _ time.Duration) { b.OnStop = proc.Ignore }

// DiesOnStopSignal gives the process the default action for its stop signal.
type DiesOnStopSignal struct{ Container string }

// Name implements Fault.
func (DiesOnStopSignal) Name() string { return "dies-on-stop-signal" }

// Args implements Fault.
func (f DiesOnStopSignal) Args() faults.Args {
	return faults.Args{{Name: "container", Value: f.Container}}
}

// Target implements BehaviourFault.
func (f DiesOnStopSignal) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault.
func (f DiesOnStopSignal) ApplyBehaviour(b *proc.Behaviour, _ time.Duration) {
	b.OnStop = proc.Terminate
}

// DState puts the process in uninterruptible sleep for a while.
type DState struct {
	Container string
	At, For   time.Duration
}

// Name implements Fault.
func (DState) Name() string { return "d-state" }

// Args implements Fault.
func (f DState) Args() faults.Args {
	return faults.Args{{Name: "container", Value: f.Container}, {Name: "at", Value: sim.FormatDuration(f.At)}, {Name: "for", Value: sim.FormatDuration(f.For)}}
}

// Target implements BehaviourFault.
func (f DState) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault; the sleep is capped at MaxDState.
func (f DState) ApplyBehaviour(b *proc.Behaviour, _ time.Duration) {
	b.DFrom, b.DFor = f.At, min(max(f.For, 0), MaxDState)
}

// ExitsOnItsOwn makes the process exit 0 by itself at a time.
type ExitsOnItsOwn struct {
	Container string
	At        time.Duration
}

// Name implements Fault.
func (ExitsOnItsOwn) Name() string { return "exits-on-its-own" }

// Args implements Fault.
func (f ExitsOnItsOwn) Args() faults.Args {
	return faults.Args{{Name: "container", Value: f.Container}, {Name: "at", Value: sim.FormatDuration(f.At)}}
}

// Target implements BehaviourFault.
func (f ExitsOnItsOwn) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault (processes start at time 0).
func (f ExitsOnItsOwn) ApplyBehaviour(b *proc.Behaviour, _ time.Duration) { b.ExitAt = max(f.At, 1) }

// MonitorDies kills a container's monitor at a time.
type MonitorDies struct {
	Container string
	At        time.Duration
}

// Name implements Fault.
func (MonitorDies) Name() string { return "monitor-dies" }

// Args implements Fault.
func (f MonitorDies) Args() faults.Args {
	return faults.Args{{Name: "container", Value: f.Container}, {Name: "at", Value: sim.FormatDuration(f.At)}}
}

// Target names the container whose monitor dies.
func (f MonitorDies) Target() string { return f.Container }

// Time implements TimedFault.
func (f MonitorDies) Time() time.Duration { return f.At }
