package stopcheck

import (
	"fmt"
	"sync"
	"syscall"
	"time"
)

// Disposition is what a process does when its stop signal is delivered.
type Disposition int

// The dispositions, simplest first (rapid shrinks towards the first).
const (
	// Default is the signal's default action: the process is terminated at
	// once, its status "killed by" the stop signal.
	Default Disposition = iota
	// Handled means a handler runs: the process cleans up for Behaviour.Cleanup
	// and then exits with Behaviour.ExitCode. Further stop signals are
	// ignored while it cleans up.
	Handled
	// Ignored is SIG_IGN: the signal is discarded; only SIGKILL stops it.
	Ignored
)

// String names the disposition.
func (d Disposition) String() string {
	switch d {
	case Default:
		return "default"
	case Handled:
		return "handled"
	case Ignored:
		return "ignored"
	}
	return fmt.Sprintf("disposition(%d)", int(d))
}

// Behaviour describes a simulated container process. Times are offsets
// from the start of the case, when the process starts.
type Behaviour struct {
	// Disposition is what the process does with its stop signal.
	Disposition Disposition
	// Cleanup is how long a Handled process takes from the delivery of its
	// stop signal to its exit.
	Cleanup time.Duration
	// ExitCode is the status of a process that exits on its own (after its
	// handler, or at the end of its Lifetime).
	ExitCode int
	// Lifetime, when positive, makes the process exit on its own this long
	// after the start, with ExitCode.
	Lifetime time.Duration
	// SleepFrom and SleepFor place one uninterruptible sleep (D state):
	// during [SleepFrom, SleepFrom+SleepFor) the process acts on nothing;
	// signals sent meanwhile stay pending and are delivered when it wakes,
	// SIGKILL first, and an exit that falls in the window happens at the
	// wake. SleepFor 0 means no such sleep.
	SleepFrom, SleepFor time.Duration
}

// inSleep reports whether at is within the uninterruptible sleep.
func (b Behaviour) inSleep(at time.Duration) bool {
	return b.SleepFor > 0 && at >= b.SleepFrom && at < b.SleepFrom+b.SleepFor
}

// after returns when something due at at actually happens: at, or the
// wake-up if at falls in the uninterruptible sleep.
func (b Behaviour) after(at time.Duration) time.Duration {
	if b.inSleep(at) {
		return b.SleepFrom + b.SleepFor
	}
	return at
}

// Outcome is what became of a signal sent with Kill.
type Outcome int

// The outcomes of a kill.
const (
	// Queued: the process was running and the signal was queued to it.
	Queued Outcome = iota
	// Pending: the process was in uninterruptible sleep; the signal is
	// delivered when it wakes.
	Pending
	// NoSuchProcess: the process had exited; the kill failed with ESRCH.
	NoSuchProcess
)

// String names the outcome.
func (o Outcome) String() string {
	switch o {
	case Queued:
		return "queued"
	case Pending:
		return "pending (D state)"
	case NoSuchProcess:
		return "no such process"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// SignalRecord is one kill the process saw: when (virtual time since the
// start), which signal, and its outcome.
type SignalRecord struct {
	At     time.Duration
	Signal syscall.Signal
	Outcome
}

// Exit is how and when the process ended.
type Exit struct {
	At     time.Duration
	Status ExitStatus
	// Own is true when the process ended on its own terms: its handler's or
	// its lifetime's exit code, or the default action of its stop signal.
	Own bool
	// ByHarness is true when the checker killed it after the calls, because
	// no Stop call did.
	ByHarness bool
}

// Process is a simulated container process: a goroutine that reacts to
// signals in virtual time as its Behaviour says. It implements Container.
// Start it inside a synctest bubble with StartProcess.
type Process struct {
	id         string
	stopSignal syscall.Signal
	b          Behaviour
	start      time.Time

	notify chan struct{} // a signal was queued
	exited chan struct{} // closed at exit

	mu        sync.Mutex
	queue     []syscall.Signal
	signals   []SignalRecord
	exit      *Exit
	ownExit   time.Duration // when it exits on its own, -1 for never
	cleaning  bool
	harness   bool // the harness queued the last SIGKILL
	delivered time.Duration
}

// StartProcess starts a simulated process with the given stop signal and
// behaviour; its time zero is now. Call it inside a synctest bubble: the
// process goroutine ends when the process exits.
func StartProcess(id string, stopSignal syscall.Signal, b Behaviour) *Process {
	p := &Process{id: id, stopSignal: stopSignal, b: b, start: time.Now(),
		notify: make(chan struct{}, 1), exited: make(chan struct{}), ownExit: -1, delivered: -1}
	if b.Lifetime > 0 {
		p.ownExit = b.Lifetime
	}
	go p.run()
	return p
}

// ID returns the container id.
func (p *Process) ID() string { return p.id }

// StopSignal returns the container's stop signal.
func (p *Process) StopSignal() syscall.Signal { return p.stopSignal }

// Exited is closed when the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Kill sends sig to the process, as the OCI runtime's kill does. It returns
// an error wrapping ErrNoSuchProcess once the process has exited.
func (p *Process) Kill(sig syscall.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Since(p.start)
	if p.exit != nil {
		if sig != 0 {
			p.signals = append(p.signals, SignalRecord{At: now, Signal: sig, Outcome: NoSuchProcess})
		}
		return fmt.Errorf("kill %s %s: %w", p.id, signalName(sig), ErrNoSuchProcess)
	}
	if sig == 0 {
		return nil
	}
	o := Queued
	if p.b.inSleep(now) {
		o = Pending
	}
	p.signals = append(p.signals, SignalRecord{At: now, Signal: sig, Outcome: o})
	p.queueLocked(sig)
	return nil
}

// terminate SIGKILLs the process without recording it: the checker's
// clean-up after the calls. It does not wait for the exit.
func (p *Process) terminate() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exit == nil {
		p.harness = true
		p.queueLocked(syscall.SIGKILL)
	}
}

func (p *Process) queueLocked(sig syscall.Signal) {
	p.queue = append(p.queue, sig)
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// Signals returns every kill the process saw, in order.
func (p *Process) Signals() []SignalRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]SignalRecord(nil), p.signals...)
}

// Exit returns how the process ended, and false while it runs.
func (p *Process) Exit() (Exit, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exit == nil {
		return Exit{}, false
	}
	return *p.exit, true
}

// OwnExit returns when the process was due to exit on its own (after its
// stop signal was delivered, or at the end of its lifetime, deferred to the
// end of an uninterruptible sleep), and false if it never was.
func (p *Process) OwnExit() (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ownExit < 0 {
		return 0, false
	}
	return p.b.after(p.ownExit), true
}

// StopDelivered returns when the stop signal was first delivered (acted
// upon), and false if it never was.
func (p *Process) StopDelivered() (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.delivered, p.delivered >= 0
}

// run is the process: it acts on queued signals when awake and exits when
// a signal kills it or its own exit is due.
func (p *Process) run() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		p.mu.Lock()
		now := time.Since(p.start)
		if !p.b.inSleep(now) {
			if st, own, dead := p.deliverLocked(now); dead {
				p.exitLocked(now, st, own)
				p.mu.Unlock()
				return
			}
			if p.ownExit >= 0 && now >= p.ownExit {
				p.exitLocked(now, ExitStatus{Code: p.b.ExitCode}, true)
				p.mu.Unlock()
				return
			}
		}
		next := p.nextLocked(now)
		p.mu.Unlock()
		if next >= 0 {
			timer.Reset(next - now)
		}
		select {
		case <-p.notify:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// deliverLocked acts on the queued signals, SIGKILL first as the kernel
// does; it reports whether one of them terminated the process.
func (p *Process) deliverLocked(now time.Duration) (ExitStatus, bool, bool) {
	q := p.queue
	p.queue = nil
	for _, sig := range q {
		if sig == syscall.SIGKILL {
			return ExitStatus{Signal: syscall.SIGKILL}, false, true
		}
	}
	for _, sig := range q {
		if sig != p.stopSignal {
			if defaultIgnored(sig) {
				continue
			}
			return ExitStatus{Signal: sig}, false, true
		}
		if p.delivered < 0 {
			p.delivered = now
		}
		switch p.b.Disposition {
		case Default:
			p.setOwnExitLocked(now)
			return ExitStatus{Signal: sig}, true, true
		case Handled:
			if !p.cleaning {
				p.cleaning = true
				p.setOwnExitLocked(now + p.b.Cleanup)
			}
		}
	}
	return ExitStatus{}, false, false
}

func (p *Process) setOwnExitLocked(at time.Duration) {
	if p.ownExit < 0 || at < p.ownExit {
		p.ownExit = at
	}
}

// nextLocked returns when the process must next wake up by itself, -1 if
// only a signal can wake it.
func (p *Process) nextLocked(now time.Duration) time.Duration {
	if p.b.inSleep(now) {
		return p.b.SleepFrom + p.b.SleepFor
	}
	return p.ownExit
}

func (p *Process) exitLocked(now time.Duration, st ExitStatus, own bool) {
	p.exit = &Exit{At: now, Status: st, Own: own, ByHarness: p.harness && st.Signal == syscall.SIGKILL}
	close(p.exited)
}

// defaultIgnored reports whether a signal's default action is to ignore it
// (signal(7)): such a signal does not terminate the process.
func defaultIgnored(sig syscall.Signal) bool {
	switch sig {
	case syscall.SIGCHLD, syscall.SIGURG, syscall.SIGWINCH, syscall.SIGCONT:
		return true
	}
	return false
}
