package sim

import (
	"fmt"
	"time"

	"github.com/faultsim/faultsim/internal/block"
)

// HangInvariant: every call a model's actors make returns. A call still
// waiting when the run ends (after its liveness phase: the time a model
// lets the system run fault-free after the last step) is a hang.
var HangInvariant = Invariant{"hang", "every CRI, OCI and shim call returns: none is still waiting when the run ends"}

// Call is one call in flight: who waits on whom, for what, since when.
type Call struct {
	Caller, Callee, What string
	// Of is what the call is about (a sandbox, a container), "" for
	// nothing: String writes it after What.
	Of string
	At time.Duration
	// Within bounds how long the call may take (0: until the run ends);
	// a call pending longer is a hang at once.
	Within time.Duration
	done   bool
}

// String renders the call as "kubelet waits on crio for StopContainer db since 10s".
func (c *Call) String() string {
	what := c.What
	if c.Of != "" {
		what += " " + c.Of
	}
	return fmt.Sprintf("%s waits on %s for %s since %s", c.Caller, c.Callee, what, FormatDuration(c.At))
}

// callBlock is how many calls Calls allocates at once.
const callBlock = 4

// Calls is a ledger of the calls between a run's actors. The zero value
// is ready to use.
type Calls struct {
	pending []*Call
	bounded int // pending calls with a bound
	// calls are allocated a few at a time.
	calls block.Of[Call]
}

// Begin records the call c, pending from c.At (within c.Within, 0: until
// the run ends), and returns the ledger's copy, for End.
func (cs *Calls) Begin(c Call) *Call {
	p := cs.calls.New(callBlock)
	*p = c
	p.done = false // a copy of an ended call begins anew
	cs.pending = append(cs.pending, p)
	if c.Within > 0 {
		cs.bounded++
	}
	return p
}

func (cs *Calls) drop(c *Call) {
	c.done = true
	if c.Within > 0 {
		cs.bounded--
	}
}

// End records that a call returned (or that it can no longer return: its
// caller or callee is gone and the connection with it). Ending a call twice
// is harmless.
func (cs *Calls) End(c *Call) {
	if c == nil || c.done {
		return
	}
	cs.drop(c)
	for i, p := range cs.pending {
		if p == c {
			cs.pending = append(cs.pending[:i], cs.pending[i+1:]...)
			return
		}
	}
}

// EndAll ends every pending call to or from actor: it is gone, and with it
// the connections its calls ran over.
func (cs *Calls) EndAll(actor string) {
	kept := cs.pending[:0]
	for _, c := range cs.pending {
		if c.Caller == actor || c.Callee == actor {
			cs.drop(c)
			continue
		}
		kept = append(kept, c)
	}
	cs.pending = kept
}

// Pending lists the calls still waiting, oldest first.
func (cs *Calls) Pending() []*Call { return cs.pending }
