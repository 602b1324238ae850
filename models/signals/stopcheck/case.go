package stopcheck

import (
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// Call is one StopContainer call: when it arrives (since the start of the
// case) and its timeout, the grace period kubelet gives it.
type Call struct {
	At      time.Duration
	Timeout time.Duration
}

// Case is one scenario for a Stopper: the container's stop signal, how its
// process behaves, and the StopContainer calls, in order of arrival.
type Case struct {
	StopSignal syscall.Signal
	Process    Behaviour
	Calls      []Call
}

// StopSignals are the stop signals a case draws from, the default first:
// SIGTERM (Docker's and the OCI default), SIGINT, SIGQUIT (nginx), SIGUSR1
// and SIGHUP, all of which terminate a process by default.
var StopSignals = []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGHUP}

// Generation steps: arrivals, cleanups and sleeps move in tenths of a
// second, timeouts in whole seconds as the CRI gives them. The ranges are
// powers of two, so that rapid never redraws a value out of range.
const (
	tick     = 100 * time.Millisecond
	ticks    = 512 // up to 51.1 s
	timeouts = 64  // up to 63 s
)

// exitCodes are the exit codes a process may choose: success, a failure,
// and 143 (128+SIGTERM), which JVMs report after their handler.
var exitCodes = []int{0, 1, 143}

// Generate draws a case. Every decision goes through ch, simplest option
// first, and every value is drawn whether or not it is used, so that the
// draws keep their places when one is lowered: rapid then shrinks a
// failing case, value by value, towards one call, the default disposition,
// SIGTERM, no sleep and zero durations.
func Generate(ch sim.Chooser) Case {
	var c Case
	c.StopSignal = StopSignals[ch.Intn(len(StopSignals))]
	b := &c.Process
	b.Disposition = Disposition(ch.Intn(3))
	cleanup := time.Duration(ch.Intn(ticks)) * tick
	if b.Disposition == Handled {
		b.Cleanup = cleanup
	}
	b.ExitCode = exitCodes[ch.Intn(len(exitCodes))]
	lives, lifetime := ch.Intn(4) == 3, time.Duration(1+ch.Intn(ticks-1))*tick
	if lives {
		b.Lifetime = lifetime
	}
	sleeps, from, length := ch.Intn(4) == 3, time.Duration(ch.Intn(ticks/2))*tick, time.Duration(1+ch.Intn(ticks-1))*tick
	if sleeps {
		b.SleepFrom, b.SleepFor = from, length
	}
	if b.Disposition != Handled && !lives {
		b.ExitCode = 0
	}
	n := 1 + ch.Intn(3)
	var at time.Duration
	for range n {
		at += time.Duration(ch.Intn(ticks)) * tick
		c.Calls = append(c.Calls, Call{At: at, Timeout: time.Duration(ch.Intn(timeouts)) * time.Second})
	}
	return c
}

// Size is what shrinking minimises: calls, and every non-default choice.
func (c Case) Size() int {
	n := len(c.Calls)
	if c.StopSignal != syscall.SIGTERM {
		n++
	}
	b := c.Process
	n += int(b.Disposition)
	for _, on := range []bool{b.Cleanup > 0, b.ExitCode != 0, b.Lifetime > 0, b.SleepFor > 0} {
		if on {
			n++
		}
	}
	for _, call := range c.Calls {
		if call.At > 0 {
			n++
		}
		if call.Timeout > 0 {
			n++
		}
	}
	return n
}

// Deadline is the effective deadline of CRI-O's semantics: the earliest
// arrival + timeout over the calls, since each call can only move the
// deadline earlier. It is zero for a case without calls.
func (c Case) Deadline() time.Duration {
	if len(c.Calls) == 0 {
		return 0
	}
	d := c.Calls[0].At + c.Calls[0].Timeout
	for _, call := range c.Calls[1:] {
		d = min(d, call.At+call.Timeout)
	}
	return d
}

// Describe renders a case in a few readable lines.
func Describe(c Case) string {
	var b strings.Builder
	p := c.Process
	fmt.Fprintf(&b, "process: stop signal %s %s", signalName(c.StopSignal), p.Disposition)
	if p.Disposition == Handled {
		fmt.Fprintf(&b, ", exits %d after %s of cleanup", p.ExitCode, p.Cleanup)
	}
	if p.Lifetime > 0 {
		fmt.Fprintf(&b, "; exits %d on its own at %s", p.ExitCode, p.Lifetime)
	}
	if p.SleepFor > 0 {
		fmt.Fprintf(&b, "; uninterruptible sleep %s-%s", p.SleepFrom, p.SleepFrom+p.SleepFor)
	}
	b.WriteByte('\n')
	for i, call := range c.Calls {
		fmt.Fprintf(&b, "call %d at %s: StopContainer(timeout %s)\n", i+1, call.At, call.Timeout)
	}
	return b.String()
}
