package signals

import (
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// MaxHandlersLate bounds handlers-late: a process that takes longer to set
// up its handlers is still starting, not racing a stop.
const MaxHandlersLate = time.Hour

func startupFaultSpecs() (specs []faults.Spec) {
	container := faults.Param{Name: "container", Type: faults.String, Summary: "the container whose process it changes"}
	specs = append(specs, faults.Spec{
		Name: "handlers-late", Kind: faults.Timing,
		Summary: "the process installs its signal handlers only this long after it starts: a signal before then gets its default action (and a pid namespace's init ignores it)",
		Params:  []faults.Param{container, {Name: "after", Type: faults.Duration, Summary: "how long after its start (at most 1h)"}},
		Build: func(a faults.Args) (faults.Fault, error) {
			return HandlersLate{Container: a.Get("container"), After: a.Duration("after")}, nil
		},
	})
	specs = append(specs, faults.Spec{
		Name: "pid-namespace-init", Kind: faults.Process,
		Summary: "the process is pid 1 of its own pid namespace: the kernel drops every signal it has no handler for, except SIGKILL and SIGSTOP from the node, and kills the namespace when it exits",
		Params:  []faults.Param{container},
		Build: func(a faults.Args) (faults.Fault, error) {
			return PidNamespaceInit{Container: a.Get("container")}, nil
		},
	})
	return
}

// HandlersLate delays the process's signal handlers after its start.
type HandlersLate struct {
	Container string
	After     time.Duration
}

// Name implements Fault.
func (HandlersLate) Name() string { return "handlers-late" }

// Args implements Fault.
func (f HandlersLate) Args() faults.Args {
	return faults.Args{{Name: "container", Value: f.Container}, {Name: "after", Value: sim.FormatDuration(f.After)}}
}

// Target implements BehaviourFault.
func (f HandlersLate) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault; the delay is capped at MaxHandlersLate.
func (f HandlersLate) ApplyBehaviour(b *proc.Behaviour, _ time.Duration) {
	b.HandlersAt = min(max(f.After, 0), MaxHandlersLate)
}

// PidNamespaceInit makes the process the init of its own pid namespace.
type PidNamespaceInit struct{ Container string }

// Name implements Fault.
func (PidNamespaceInit) Name() string { return "pid-namespace-init" }

// Args implements Fault.
func (f PidNamespaceInit) Args() faults.Args {
	return faults.Args{{Name: "container", Value: f.Container}}
}

// Target implements BehaviourFault.
func (f PidNamespaceInit) Target() string { return f.Container }

// ApplyBehaviour implements BehaviourFault.
func (f PidNamespaceInit) ApplyBehaviour(b *proc.Behaviour, _ time.Duration) { b.NewPidNS = true }
