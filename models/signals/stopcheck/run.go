package stopcheck

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing/synctest"
	"time"

	"github.com/faultsim/faultsim/models/signals"
	"github.com/faultsim/faultsim/sim"
)

// How long the checker waits, in virtual time, beyond the latest deadline
// of a case for calls to return (backstopSlack), and after the last call
// returned for the Stopper's own goroutines to finish (drainTime: CRI-O's
// SIGKILL back-off tops out at 2 minutes, times its jitter of 1.25).
const (
	backstopSlack = time.Minute
	drainTime     = 5 * time.Minute
)

// CallResult is what one Stop call did.
type CallResult struct {
	Call
	// Returned is false when the call had not returned when the checker
	// gave up on it (its deadline + epsilon + a minute, then again after it
	// killed the process and cancelled the context).
	Returned bool
	// At is when Stop returned (or panicked).
	At time.Duration
	// Err is what Stop returned.
	Err error
	// Panic is the value Stop panicked with, formatted; empty if none.
	Panic string
	// Gone is true when the process had exited by the time Stop returned.
	Gone bool
}

// Result is what happened in one run of a case, and which invariants it
// broke.
type Result struct {
	Case Case
	// Signals are the kills the process saw, in order.
	Signals []SignalRecord
	// Exit is how the process ended (the checker SIGKILLs it after the
	// calls if no call did; Exit.ByHarness says so).
	Exit Exit
	// OwnExit is when the process was due to exit on its own; HasOwnExit
	// is false if it never was (an ignored stop signal, no lifetime).
	OwnExit    time.Duration
	HasOwnExit bool
	// Calls are the results of the calls, in the order of Case.Calls.
	Calls []CallResult
	// Violations are the broken invariants, the first of each, in order of
	// the time they were broken.
	Violations []sim.Violation
}

// Violated returns the name of the first violated invariant, "" if none.
func (r *Result) Violated() string {
	if len(r.Violations) == 0 {
		return ""
	}
	return r.Violations[0].Invariant
}

// Has reports whether the named invariant was violated.
func (r *Result) Has(name string) bool {
	return slices.ContainsFunc(r.Violations, func(v sim.Violation) bool { return v.Invariant == name })
}

// Timeline renders what happened, in order of virtual time.
func (r *Result) Timeline() string {
	// Lines at the same instant go in causal order: arrivals, kills, the
	// exit, returns. (Their real order is the scheduler's and may differ
	// from run to run; this one is stable.)
	type line struct {
		at   time.Duration
		rank int
		text string
	}
	var lines []line
	for i, c := range r.Calls {
		lines = append(lines, line{c.Call.At, 0, fmt.Sprintf("call %d: StopContainer(timeout %s)", i+1, c.Timeout)})
		switch {
		case !c.Returned:
			lines = append(lines, line{c.At, 3, fmt.Sprintf("call %d: still blocked, given up", i+1)})
		case c.Panic != "":
			lines = append(lines, line{c.At, 3, fmt.Sprintf("call %d: panicked: %s", i+1, c.Panic)})
		default:
			lines = append(lines, line{c.At, 3, fmt.Sprintf("call %d: returned %v (process gone: %t)", i+1, c.Err, c.Gone)})
		}
	}
	for _, s := range r.Signals {
		lines = append(lines, line{s.At, 1, fmt.Sprintf("kill %s: %s", signalName(s.Signal), s.Outcome)})
	}
	how := r.Exit.Status.String()
	if r.Exit.ByHarness {
		how += " by the checker after the calls"
	}
	lines = append(lines, line{r.Exit.At, 2, "process " + how})
	slices.SortStableFunc(lines, func(a, b line) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.rank, b.rank)) })
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%8s  %s\n", l.at, l.text)
	}
	return b.String()
}

// String renders the first violation, the case and the timeline.
func (r *Result) String() string {
	var b strings.Builder
	for _, v := range r.Violations {
		b.WriteString(v.String())
		b.WriteByte('\n')
	}
	b.WriteString(Describe(r.Case))
	b.WriteString("timeline:\n")
	b.WriteString(r.Timeline())
	return b.String()
}

// latestBound is the latest time by which every call must have returned:
// the latest arrival + timeout, deferred past an uninterruptible sleep.
func latestBound(c Case) time.Duration {
	var d time.Duration
	for _, call := range c.Calls {
		d = max(d, c.Process.after(call.At+call.Timeout))
	}
	return d
}

// runCase runs one case against a Stopper. It must run inside a synctest
// bubble: it starts the process, makes each call in its own goroutine at
// its arrival time, waits for them, cleans up, and checks the invariants.
//
// Calls that arrive at the same instant are started in their order, each
// one running until every goroutine of the bubble is blocked before the
// next starts (synctest.Wait). This keeps a case's outcome from depending
// on which of two simultaneous arrivals the Go scheduler runs first, so
// that rapid can shrink and replay it.
func runCase(c Case, newStopper NewStopper) *Result {
	p := StartProcess("ctr", c.StopSignal, c.Process)
	start := p.start
	// On every way out, a panic included, the process goroutine ends.
	defer func() {
		p.terminate()
		<-p.Exited()
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newStopper(p)
	synctest.Wait()

	var mu sync.Mutex
	results := make([]CallResult, len(c.Calls))
	done := make(chan struct{}, len(c.Calls))
	for i, call := range c.Calls {
		results[i].Call = call
		if d := call.At - time.Since(start); d > 0 {
			time.Sleep(d)
		}
		go func() {
			var err error
			panicked := ""
			defer func() {
				if v := recover(); v != nil {
					panicked = fmt.Sprint(v)
				}
				_, gone := p.Exit()
				mu.Lock()
				results[i] = CallResult{Call: call, Returned: true, At: time.Since(start), Err: err, Panic: panicked, Gone: gone}
				mu.Unlock()
				done <- struct{}{}
			}()
			err = s.Stop(ctx, call.Timeout)
		}()
		synctest.Wait()
	}

	pending := len(c.Calls)
	wait := func(until time.Duration) {
		timer := time.NewTimer(until - time.Since(start))
		defer timer.Stop()
		for pending > 0 {
			select {
			case <-done:
				pending--
			case <-timer.C:
				return
			}
		}
	}
	limit := latestBound(c) + signals.Epsilon + backstopSlack
	wait(limit)
	// Clean up whatever the calls left: the process (a checker SIGKILL, not
	// recorded as a signal), then the calls' context.
	p.terminate()
	<-p.Exited()
	cancel()
	wait(time.Since(start) + backstopSlack)
	time.Sleep(drainTime)
	synctest.Wait()

	r := &Result{Case: c, Signals: p.Signals()}
	r.Exit, _ = p.Exit()
	r.OwnExit, r.HasOwnExit = p.OwnExit()
	mu.Lock()
	r.Calls = append([]CallResult(nil), results...)
	mu.Unlock()
	for i := range r.Calls {
		if !r.Calls[i].Returned {
			r.Calls[i].At = limit
		}
	}
	r.Violations = check(r)
	return r
}
