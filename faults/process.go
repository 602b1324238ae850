package faults

import (
	"time"

	"github.com/faultsim/faultsim/sim"
)

// BehaviourFault reshapes how one container's process reacts to signals
// and time. grace is the container's grace period, for faults defined
// relative to it.
type BehaviourFault interface {
	Fault
	Target() string
	ApplyBehaviour(b *sim.Behaviour, grace time.Duration)
}

func init() {
	container := Param{Name: "container", Type: String, Summary: "the container whose process it changes"}
	Register(Spec{
		Name: "slow-exit", Kind: Process,
		Summary: "the process handles its stop signal and needs this long to clean up and exit",
		Params:  []Param{container, {Name: "after", Type: Duration, Summary: "cleanup time after the stop signal"}},
		Build: func(a Args) (Fault, error) {
			return SlowExit{Container: a.Get("container"), After: a.Duration("after")}, nil
		},
	})
	Register(Spec{
		Name: "exit-at-deadline", Kind: Timing,
		Summary: "the process's cleanup takes exactly its grace period: its exit and the stop timer fire at the same instant",
		Params:  []Param{container},
		Build:   func(a Args) (Fault, error) { return ExitAtDeadline{Container: a.Get("container")}, nil },
	})
	Register(Spec{
		Name: "ignores-stop-signal", Kind: Process,
		Summary: "the process ignores its stop signal; only SIGKILL ends it",
		Params:  []Param{container},
		Build:   func(a Args) (Fault, error) { return IgnoresStopSignal{Container: a.Get("container")}, nil },
	})
	Register(Spec{
		Name: "dies-on-stop-signal", Kind: Process,
		Summary: "the process has no handler: its stop signal's default action kills it at once",
		Params:  []Param{container},
		Build:   func(a Args) (Fault, error) { return DiesOnStopSignal{Container: a.Get("container")}, nil },
	})
	Register(Spec{
		Name: "d-state", Kind: Process,
		Summary: "the process sits in uninterruptible sleep: every signal, SIGKILL too, waits until it wakes",
		Params: []Param{container, {Name: "at", Type: Duration, Summary: "when it enters D state (from its start)"},
			{Name: "for", Type: Duration, Summary: "how long it stays (at most 5s)"}},
		Build: func(a Args) (Fault, error) {
			return DState{Container: a.Get("container"), At: a.Duration("at"), For: a.Duration("for")}, nil
		},
	})
	Register(Spec{
		Name: "exits-on-its-own", Kind: Timing,
		Summary: "the process exits 0 by itself at a time (e.g. between the runtime's liveness check and its kill)",
		Params:  []Param{container, {Name: "at", Type: Duration, Summary: "virtual time of the exit"}},
		Build: func(a Args) (Fault, error) {
			return ExitsOnItsOwn{Container: a.Get("container"), At: a.Duration("at")}, nil
		},
	})
	Register(Spec{
		Name: "monitor-dies", Kind: Process,
		Summary: "the container's monitor (conmon) is killed: nobody records the exit status",
		Params:  []Param{container, {Name: "at", Type: Duration, Summary: "virtual time it dies"}},
		Build: func(a Args) (Fault, error) {
			return MonitorDies{Container: a.Get("container"), At: a.Duration("at")}, nil
		},
	})
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
func (f SlowExit) Args() Args {
	return Args{{"container", f.Container}, {"after", sim.FormatDuration(f.After)}}
}

// Target implements BehaviourFault.
func (f SlowExit) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault.
func (f SlowExit) ApplyBehaviour(b *sim.Behaviour, _ time.Duration) {
	b.OnStop, b.Cleanup = sim.Handle, f.After
}

// ExitAtDeadline makes the cleanup last exactly the grace period.
type ExitAtDeadline struct{ Container string }

// Name implements Fault.
func (ExitAtDeadline) Name() string { return "exit-at-deadline" }

// Args implements Fault.
func (f ExitAtDeadline) Args() Args { return Args{{"container", f.Container}} }

// Target implements BehaviourFault.
func (f ExitAtDeadline) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault.
func (f ExitAtDeadline) ApplyBehaviour(b *sim.Behaviour, grace time.Duration) {
	b.OnStop, b.Cleanup = sim.Handle, grace
}

// IgnoresStopSignal makes the process ignore its stop signal.
type IgnoresStopSignal struct{ Container string }

// Name implements Fault.
func (IgnoresStopSignal) Name() string { return "ignores-stop-signal" }

// Args implements Fault.
func (f IgnoresStopSignal) Args() Args { return Args{{"container", f.Container}} }

// Target implements BehaviourFault.
func (f IgnoresStopSignal) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault.
func (f IgnoresStopSignal) ApplyBehaviour(b *sim.Behaviour, _ time.Duration) { b.OnStop = sim.Ignore }

// DiesOnStopSignal gives the process the default action for its stop signal.
type DiesOnStopSignal struct{ Container string }

// Name implements Fault.
func (DiesOnStopSignal) Name() string { return "dies-on-stop-signal" }

// Args implements Fault.
func (f DiesOnStopSignal) Args() Args { return Args{{"container", f.Container}} }

// Target implements BehaviourFault.
func (f DiesOnStopSignal) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault.
func (f DiesOnStopSignal) ApplyBehaviour(b *sim.Behaviour, _ time.Duration) { b.OnStop = sim.Terminate }

// DState puts the process in uninterruptible sleep for a while.
type DState struct {
	Container string
	At, For   time.Duration
}

// Name implements Fault.
func (DState) Name() string { return "d-state" }

// Args implements Fault.
func (f DState) Args() Args {
	return Args{{"container", f.Container}, {"at", sim.FormatDuration(f.At)}, {"for", sim.FormatDuration(f.For)}}
}

// Target implements BehaviourFault.
func (f DState) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault; the sleep is capped at MaxDState.
func (f DState) ApplyBehaviour(b *sim.Behaviour, _ time.Duration) {
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
func (f ExitsOnItsOwn) Args() Args {
	return Args{{"container", f.Container}, {"at", sim.FormatDuration(f.At)}}
}

// Target implements BehaviourFault.
func (f ExitsOnItsOwn) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault (processes start at time 0).
func (f ExitsOnItsOwn) ApplyBehaviour(b *sim.Behaviour, _ time.Duration) { b.ExitAt = max(f.At, 1) }

// MonitorDies kills a container's monitor at a time.
type MonitorDies struct {
	Container string
	At        time.Duration
}

// Name implements Fault.
func (MonitorDies) Name() string { return "monitor-dies" }

// Args implements Fault.
func (f MonitorDies) Args() Args {
	return Args{{"container", f.Container}, {"at", sim.FormatDuration(f.At)}}
}

// Target names the container whose monitor dies.
func (f MonitorDies) Target() string { return f.Container }

// Time implements TimedFault.
func (f MonitorDies) Time() time.Duration { return f.At }
