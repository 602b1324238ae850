package sim

import (
	"fmt"
	"strings"
	"time"
)

// HangInvariant: every call a model's actors make returns. A call still
// waiting when the run ends (after its liveness phase: the time a model
// lets the system run fault-free after the last step) is a hang.
var HangInvariant = Invariant{"hang", "every CRI, OCI and shim call returns: none is still waiting when the run ends"}

// Call is one call in flight: who waits on whom, for what, since when.
type Call struct {
	Caller, Callee, What string
	At                   time.Duration
	done                 bool
}

// String renders the call as "kubelet waits on crio for StopContainer db since 10s".
func (c *Call) String() string {
	return fmt.Sprintf("%s waits on %s for %s since %s", c.Caller, c.Callee, c.What, FormatDuration(c.At))
}

// Calls is a ledger of the calls between a run's actors. The zero value
// is ready to use.
type Calls struct {
	pending []*Call
}

// Begin records a call from caller to callee at a virtual time.
func (cs *Calls) Begin(at time.Duration, caller, callee, what string) *Call {
	c := &Call{Caller: caller, Callee: callee, What: what, At: at}
	cs.pending = append(cs.pending, c)
	return c
}

// End records that a call returned (or that it can no longer return: its
// caller or callee is gone and the connection with it). Ending a call twice
// is harmless.
func (cs *Calls) End(c *Call) {
	if c == nil || c.done {
		return
	}
	c.done = true
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
			c.done = true
			continue
		}
		kept = append(kept, c)
	}
	cs.pending = kept
}

// Pending lists the calls still waiting, oldest first.
func (cs *Calls) Pending() []*Call { return cs.pending }

// hang is the violation of the calls still pending at now, or false.
func (cs *Calls) hang(now time.Duration) (Violation, bool) {
	if cs == nil || len(cs.pending) == 0 {
		return Violation{}, false
	}
	parts := make([]string, len(cs.pending))
	for i, c := range cs.pending {
		parts[i] = c.String()
	}
	return Violation{Invariant: HangInvariant.Name, At: now,
		Message: fmt.Sprintf("%d call(s) never returned: %s", len(parts), strings.Join(parts, "; "))}, true
}
