// Package stopcheck checks a user's own goroutine-based StopContainer
// implementation against the graceful-stop invariants of the signals model,
// in virtual time. The built-in signals model is discrete-event; this
// package runs real concurrent code instead: the user's Stopper, a
// simulated container process and the concurrent StopContainer calls are
// goroutines in a testing/synctest bubble, where package time is virtual.
//
// # What the user writes
//
// A Stopper (StopContainer for one container) written against Container:
// the container's stop signal, the OCI runtime's kill (an error wrapping
// ErrNoSuchProcess once the process is gone) and the exit notification.
// There is no clock interface: inside the bubble time.Now, timers, tickers,
// time.After and context deadlines are virtual, so production code runs
// unchanged and a 30 s grace period costs no wall-clock time. Then:
//
//	func TestStop(t *testing.T) { stopcheck.Conformance(t, newMyStopper) }
//
// # What is drawn
//
// rapid draws the process (the disposition of its stop signal: default,
// handled with a cleanup time and exit code, or ignored; an optional
// natural end; an optional uninterruptible sleep during which signals stay
// pending), the stop signal, and one to three StopContainer calls with
// their arrival times and timeouts (0 included, and calls arriving after
// the process is gone). The invariants are in invariants.go; the effective
// deadline follows CRI-O: the minimum over the calls of arrival + timeout.
//
// # Determinism, honestly
//
// Virtual time is deterministic: a timer set for 30 s fires at exactly
// 30 s, and time advances only when every goroutine of the bubble is
// blocked. Goroutine interleaving among goroutines runnable at the same
// virtual instant is not deterministic: it is the Go scheduler's, and a
// seed does not fix it. So:
//
//   - the invariants are stated so that they hold for every interleaving of
//     a correct implementation (a process exiting exactly at its deadline
//     may or may not be SIGKILLed first; both are accepted);
//   - the checker starts calls that arrive at the same instant one after
//     the other, letting each run until the bubble is idle
//     (synctest.Wait) before starting the next, so that the outcome of a
//     case does not hinge on which arrival the scheduler picks first;
//   - a failure names only the invariant and the case; the details and the
//     timeline, where a tie may have gone either way, are logged. rapid
//     replays every shrunk candidate twice and stops shrinking when the two
//     failures differ, so the failure must not carry run-to-run noise;
//   - a race whose window is a whole interval of virtual time (as in
//     RacyStopper, a lock held across a grace period) is found, shrunk and
//     replayed deterministically; a race whose window is an instant,
//     between goroutines runnable together, may show up in some runs only:
//     rapid then reports a flaky failure, and the race detector and
//     -count=N are the tools for it.
//
// # What the Stopper must not do
//
// Goroutines the Stopper starts must end by themselves within a few virtual
// minutes after the process is gone; synctest reports a bubble whose
// goroutines stay blocked as a deadlock. A panic inside Stop is recovered
// and reported (the model's crash invariant); a panic in a goroutine the Stopper
// started cannot be recovered by anyone and ends the test binary.
//
// A goroutine blocked on a sync.Mutex (or in a system call) is not durably
// blocked for synctest, so a mutex held while waiting for a timer, with
// another goroutine waiting for it, stops virtual time: CRI-O's op lock held
// across the whole stop loop is such a mutex. Short critical sections are
// fine; a lock held across a wait must be a channel. The checker cannot
// see this from inside the bubble; a real-time watchdog (Checker.Stall)
// panics with the case and the bubble's goroutine stacks rather than let
// the test hang until go test's -timeout.
//
// CRIOStopper is a correct CRI-O-like implementation; RacyStopper
// reproduces CRI-O 1.29.1's stop-blocks-stop lock contention
// (cri-o/cri-o#8030) and is caught by stop-returns-in-time.
package stopcheck
