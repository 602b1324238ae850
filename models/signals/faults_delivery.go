package signals

import (
	"strconv"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// DeliveryFault changes how the node delivers one signal.
type DeliveryFault interface {
	faults.Fault
	Delivery() proc.Delivery
}

func deliveryFaultSpecs() (specs []faults.Spec) {
	nth := faults.Param{Name: "nth", Type: faults.Int, Summary: "which signal sent on the node, counting from 1", Default: "1", Min: 1, Max: 1000}
	specs = append(specs, faults.Spec{
		Name: "signal-drop", Kind: faults.Timing,
		Summary: "the nth signal sent on the node is lost: kill(2) succeeds but nothing is delivered (a SIGKILL, which the kernel cannot lose, is delivered)",
		Params:  []faults.Param{nth},
		Build:   func(a faults.Args) (faults.Fault, error) { return SignalDrop{Nth: a.Int("nth")}, nil },
	})
	specs = append(specs, faults.Spec{
		Name: "signal-delay", Kind: faults.Timing,
		Summary: "the nth signal sent on the node is delivered late",
		Params: []faults.Param{nth, {Name: "delay", Type: faults.Duration, Summary: "how late (at most 500ms: a loaded node, not a lost signal)",
			Default: "100ms"}},
		Build: func(a faults.Args) (faults.Fault, error) {
			return SignalDelay{Nth: a.Int("nth"), Delay: a.Duration("delay")}, nil
		},
	})
	specs = append(specs, faults.Spec{
		Name: "signal-dup", Kind: faults.Timing,
		Summary: "the nth signal sent on the node is delivered twice",
		Params:  []faults.Param{nth},
		Build:   func(a faults.Args) (faults.Fault, error) { return SignalDup{Nth: a.Int("nth")}, nil },
	})
	specs = append(specs, faults.Spec{
		Name: "signal-reorder", Kind: faults.Timing,
		Summary: "the nth signal sent on the node is delivered after the next one (alone after 1s if none follows)",
		Params:  []faults.Param{nth},
		Build:   func(a faults.Args) (faults.Fault, error) { return SignalReorder{Nth: a.Int("nth")}, nil },
	})
	return
}

// MaxSignalDelay bounds signal-delay: a loaded node delays, it does not lose.
const MaxSignalDelay = 500 * time.Millisecond

// SignalDrop loses the nth signal.
type SignalDrop struct{ Nth int }

// Name implements Fault.
func (SignalDrop) Name() string { return "signal-drop" }

// Args implements Fault.
func (f SignalDrop) Args() faults.Args { return faults.Args{{Name: "nth", Value: strconv.Itoa(f.Nth)}} }

// Delivery implements DeliveryFault.
func (f SignalDrop) Delivery() proc.Delivery { return proc.Delivery{Nth: f.Nth, Drop: true} }

// SignalDelay delivers the nth signal late.
type SignalDelay struct {
	Nth   int
	Delay time.Duration
}

// Name implements Fault.
func (SignalDelay) Name() string { return "signal-delay" }

// Args implements Fault.
func (f SignalDelay) Args() faults.Args {
	return faults.Args{{Name: "nth", Value: strconv.Itoa(f.Nth)}, {Name: "delay", Value: sim.FormatDuration(f.Delay)}}
}

// Delivery implements DeliveryFault; the delay is capped at MaxSignalDelay.
func (f SignalDelay) Delivery() proc.Delivery {
	return proc.Delivery{Nth: f.Nth, Delay: min(max(f.Delay, 0), MaxSignalDelay)}
}

// SignalDup delivers the nth signal twice.
type SignalDup struct{ Nth int }

// Name implements Fault.
func (SignalDup) Name() string { return "signal-dup" }

// Args implements Fault.
func (f SignalDup) Args() faults.Args { return faults.Args{{Name: "nth", Value: strconv.Itoa(f.Nth)}} }

// Delivery implements DeliveryFault.
func (f SignalDup) Delivery() proc.Delivery { return proc.Delivery{Nth: f.Nth, Dup: true} }

// SignalReorder swaps the nth signal with the next.
type SignalReorder struct{ Nth int }

// Name implements Fault.
func (SignalReorder) Name() string { return "signal-reorder" }

// Args implements Fault.
func (f SignalReorder) Args() faults.Args {
	return faults.Args{{Name: "nth", Value: strconv.Itoa(f.Nth)}}
}

// Delivery implements DeliveryFault.
func (f SignalReorder) Delivery() proc.Delivery { return proc.Delivery{Nth: f.Nth, Reorder: true} }
