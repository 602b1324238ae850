package faults

import (
	"strconv"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// DeliveryFault changes how the node delivers one signal.
type DeliveryFault interface {
	Fault
	Delivery() sim.Delivery
}

func init() {
	nth := Param{Name: "nth", Type: Int, Summary: "which signal sent on the node, counting from 1", Default: "1", Min: 1, Max: 1000}
	Register(Spec{
		Name: "signal-drop", Kind: Timing,
		Summary: "the nth signal sent on the node is lost: kill(2) succeeds but nothing is delivered",
		Params:  []Param{nth},
		Build:   func(a Args) (Fault, error) { return SignalDrop{Nth: a.Int("nth")}, nil },
	})
	Register(Spec{
		Name: "signal-delay", Kind: Timing,
		Summary: "the nth signal sent on the node is delivered late",
		Params: []Param{nth, {Name: "delay", Type: Duration, Summary: "how late (at most 500ms: a loaded node, not a lost signal)",
			Default: "100ms"}},
		Build: func(a Args) (Fault, error) { return SignalDelay{Nth: a.Int("nth"), Delay: a.Duration("delay")}, nil },
	})
	Register(Spec{
		Name: "signal-dup", Kind: Timing,
		Summary: "the nth signal sent on the node is delivered twice",
		Params:  []Param{nth},
		Build:   func(a Args) (Fault, error) { return SignalDup{Nth: a.Int("nth")}, nil },
	})
	Register(Spec{
		Name: "signal-reorder", Kind: Timing,
		Summary: "the nth signal sent on the node is delivered after the next one (alone after 1s if none follows)",
		Params:  []Param{nth},
		Build:   func(a Args) (Fault, error) { return SignalReorder{Nth: a.Int("nth")}, nil },
	})
}

// MaxSignalDelay bounds signal-delay: a loaded node delays, it does not lose.
const MaxSignalDelay = 500 * time.Millisecond

// SignalDrop loses the nth signal.
type SignalDrop struct{ Nth int }

// Name implements Fault.
func (SignalDrop) Name() string { return "signal-drop" }

// Args implements Fault.
func (f SignalDrop) Args() Args { return Args{{"nth", strconv.Itoa(f.Nth)}} }

// Delivery implements DeliveryFault.
func (f SignalDrop) Delivery() sim.Delivery { return sim.Delivery{Nth: f.Nth, Drop: true} }

// SignalDelay delivers the nth signal late.
type SignalDelay struct {
	Nth   int
	Delay time.Duration
}

// Name implements Fault.
func (SignalDelay) Name() string { return "signal-delay" }

// Args implements Fault.
func (f SignalDelay) Args() Args {
	return Args{{"nth", strconv.Itoa(f.Nth)}, {"delay", sim.FormatDuration(f.Delay)}}
}

// Delivery implements DeliveryFault; the delay is capped at MaxSignalDelay.
func (f SignalDelay) Delivery() sim.Delivery {
	return sim.Delivery{Nth: f.Nth, Delay: min(max(f.Delay, 0), MaxSignalDelay)}
}

// SignalDup delivers the nth signal twice.
type SignalDup struct{ Nth int }

// Name implements Fault.
func (SignalDup) Name() string { return "signal-dup" }

// Args implements Fault.
func (f SignalDup) Args() Args { return Args{{"nth", strconv.Itoa(f.Nth)}} }

// Delivery implements DeliveryFault.
func (f SignalDup) Delivery() sim.Delivery { return sim.Delivery{Nth: f.Nth, Dup: true} }

// SignalReorder swaps the nth signal with the next.
type SignalReorder struct{ Nth int }

// Name implements Fault.
func (SignalReorder) Name() string { return "signal-reorder" }

// Args implements Fault.
func (f SignalReorder) Args() Args { return Args{{"nth", strconv.Itoa(f.Nth)}} }

// Delivery implements DeliveryFault.
func (f SignalReorder) Delivery() sim.Delivery { return sim.Delivery{Nth: f.Nth, Reorder: true} }
