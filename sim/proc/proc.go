// Package proc is the simulated node's process table: processes with
// signal dispositions, signal delivery as scheduled events that faults can
// drop, delay, duplicate or reorder, exits and their watchers.
package proc

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// ErrNoSuchProcess is what signalling an exited or unknown process returns
// (ESRCH, "no such process").
var ErrNoSuchProcess = errors.New("no such process")

// Disposition is what a process does with its stop signal.
type Disposition int

// The dispositions a simulated process can have for its stop signal.
const (
	// Terminate: the default action, the process dies at once.
	Terminate Disposition = iota
	// Handle: a handler cleans up for Behaviour.Cleanup, then exits 0.
	Handle
	// Ignore: the signal is ignored.
	Ignore
)

func (d Disposition) String() string {
	switch d {
	case Handle:
		return "handle"
	case Ignore:
		return "ignore"
	}
	return "terminate"
}

// Behaviour is how a simulated process reacts to signals and time. Times
// are relative to the process's start.
type Behaviour struct {
	// StopSignal is the signal the process treats as "stop" (SIGTERM if 0).
	StopSignal syscall.Signal
	// OnStop is its disposition for StopSignal (and SIGTERM, SIGINT).
	OnStop Disposition
	// Cleanup is how long its handler takes before it exits 0 (Handle).
	Cleanup time.Duration
	// DFrom and DFor put it in uninterruptible sleep (D state) for DFor from
	// DFrom: signals, SIGKILL included, wait until it wakes.
	DFrom, DFor time.Duration
	// ExitAt, when > 0, makes it exit 0 on its own at that time.
	ExitAt time.Duration
}

// SentSignal is one signal sent to a process: when, which, and by whom.
type SentSignal struct {
	At   time.Duration
	Sig  syscall.Signal
	From string
}

// Proc is a simulated process.
type Proc struct {
	PID  int
	Name string
	B    Behaviour
	// Start is when it started.
	Start time.Duration
	// Sent lists every signal sent to it, in order.
	Sent []SentSignal
	// Exited is set once it has exited, at ExitedAt, with Status (128+n
	// when killed by signal n, recorded in KilledBy).
	Exited   bool
	ExitedAt time.Duration
	Status   int
	KilledBy syscall.Signal
	// Handling is set once its stop handler runs; it exits 0 at HandledAt.
	Handling  bool
	HandledAt time.Duration

	watchers []func(*Proc)
}

// StopSignal is the process's stop signal (SIGTERM by default).
func (p *Proc) StopSignal() syscall.Signal {
	if p.B.StopSignal == 0 {
		return syscall.SIGTERM
	}
	return p.B.StopSignal
}

// inD reports whether the process is in uninterruptible sleep at now, and
// when it wakes.
func (p *Proc) inD(now time.Duration) (bool, time.Duration) {
	from := p.Start + p.B.DFrom
	until := from + p.B.DFor
	return p.B.DFor > 0 && now >= from && now < until, until
}

// Watch calls fn when the process exits (at once if it has).
func (p *Proc) Watch(fn func(*Proc)) {
	if p.Exited {
		fn(p)
		return
	}
	p.watchers = append(p.watchers, fn)
}

// Delivery says what happens to the n-th signal sent on the node (counting
// from 1): dropped, delayed, duplicated, or swapped with the next one.
type Delivery struct {
	Nth     int
	Drop    bool
	Delay   time.Duration
	Dup     bool
	Reorder bool
}

// Procs is the node's process table: processes, signal delivery as
// scheduled events (so a delivery can race anything due at the same
// instant), exits, and the delivery faults.
type Procs struct {
	Sched *sim.Scheduler
	Trace *sim.Trace
	// Faults shape delivery of the n-th signal sent.
	Faults []Delivery
	// OnSend observes every signal sent to a live process, before delivery.
	OnSend func(p *Proc, s SentSignal)
	// OnExit observes every exit.
	OnExit func(p *Proc)

	procs []*Proc
	sent  int
	held  func() // a delivery waiting for the next signal (reorder)
}

// Spawn starts a process now.
func (ps *Procs) Spawn(name string, b Behaviour) *Proc {
	p := &Proc{PID: 100 + len(ps.procs), Name: name, B: b, Start: ps.Sched.Now()}
	ps.procs = append(ps.procs, p)
	if b.ExitAt > 0 {
		ps.Sched.AtLabel(p.Start+b.ExitAt, sim.L(name, " exits"), func() { ps.exit(p, 0, 0) })
	}
	return p
}

// Live returns the processes still running, in PID order.
func (ps *Procs) Live() []*Proc {
	var out []*Proc
	for _, p := range ps.procs {
		if !p.Exited {
			out = append(out, p)
		}
	}
	return out
}

// All returns every process ever spawned, in PID order.
func (ps *Procs) All() []*Proc { return ps.procs }

// Kill sends sig from sender to p, as kill(2): it fails with
// ErrNoSuchProcess when p has exited, and otherwise delivers the signal in
// a scheduled event, shaped by the delivery faults.
func (ps *Procs) Kill(from string, p *Proc, sig syscall.Signal) error {
	if p == nil || p.Exited {
		return ErrNoSuchProcess
	}
	now := ps.Sched.Now()
	s := SentSignal{At: now, Sig: sig, From: from}
	p.Sent = append(p.Sent, s)
	ps.sent++
	ps.Trace.Signal(now, from, p.Name, "%s", SignalName(sig))
	if ps.OnSend != nil {
		ps.OnSend(p, s)
	}
	var f Delivery
	for _, d := range ps.Faults {
		if d.Nth == ps.sent {
			f = d
		}
	}
	deliver := func() {
		ps.Sched.AfterLabel(f.Delay, sim.L("deliver ", SignalName(sig), " to ", p.Name), func() { ps.deliver(p, sig) })
	}
	prev := ps.held
	ps.held = nil
	switch {
	case f.Drop:
		ps.Trace.Fault(now, "signal %s to %s dropped", SignalName(sig), p.Name)
	case f.Reorder:
		ps.held = deliver
		// Swapped with the next signal; if none comes within a second it goes alone.
		ps.Sched.AfterLabel(time.Second, sim.L("release held ", SignalName(sig)), func() {
			if ps.held != nil {
				h := ps.held
				ps.held = nil
				h()
			}
		})
	default:
		deliver()
		if f.Dup {
			deliver()
		}
	}
	if prev != nil {
		prev()
	}
	return nil
}

// deliver applies a signal to a process as the kernel would.
func (ps *Procs) deliver(p *Proc, sig syscall.Signal) {
	if p.Exited {
		return
	}
	now := ps.Sched.Now()
	if d, until := p.inD(now); d {
		ps.Trace.Add(now, p.Name, "%s pending: in uninterruptible sleep until %s", SignalName(sig), sim.FormatDuration(until))
		ps.Sched.AtLabel(until, sim.L("wake ", p.Name), func() { ps.deliver(p, sig) })
		return
	}
	switch {
	case sig == syscall.SIGKILL:
		ps.exit(p, 128+int(sig), sig)
	case sig == p.StopSignal() || sig == syscall.SIGTERM || sig == syscall.SIGINT:
		switch p.B.OnStop {
		case Terminate:
			ps.exit(p, 128+int(sig), sig)
		case Handle:
			if !p.Handling {
				p.Handling, p.HandledAt = true, now+p.B.Cleanup
				ps.Trace.Add(now, p.Name, "%s: cleaning up for %s", SignalName(sig), sim.FormatDuration(p.B.Cleanup))
				ps.Sched.AtLabel(p.HandledAt, sim.L(p.Name, " exits"), func() { ps.exit(p, 0, 0) })
			}
		case Ignore:
			ps.Trace.Add(now, p.Name, "%s ignored", SignalName(sig))
		}
	}
}

func (ps *Procs) exit(p *Proc, status int, by syscall.Signal) {
	if p.Exited {
		return
	}
	p.Exited, p.ExitedAt, p.Status, p.KilledBy = true, ps.Sched.Now(), status, by
	if by != 0 {
		ps.Trace.Add(p.ExitedAt, p.Name, "killed by %s (status %d)", SignalName(by), status)
	} else {
		ps.Trace.Add(p.ExitedAt, p.Name, "exited (status %d)", status)
	}
	if ps.OnExit != nil {
		ps.OnExit(p)
	}
	ws := p.watchers
	p.watchers = nil
	for _, w := range ws {
		w(p)
	}
}

// SignalName names a signal as kill -l does ("SIGTERM").
func SignalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGUSR1:
		return "SIGUSR1"
	case syscall.SIGUSR2:
		return "SIGUSR2"
	case syscall.SIGWINCH:
		return "SIGWINCH"
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// ParseSignal reads a signal name ("SIGTERM", "TERM") or number ("15").
func ParseSignal(s string) (syscall.Signal, error) {
	for n := 1; n < 32; n++ {
		name := SignalName(syscall.Signal(n))
		if s == name || "SIG"+s == name || s == fmt.Sprint(n) {
			return syscall.Signal(n), nil
		}
	}
	return 0, fmt.Errorf("%q: expected a signal such as SIGTERM, SIGINT, SIGQUIT or a number 1-31", s)
}

// Get returns the process with pid, or nil.
func (ps *Procs) Get(pid int) *Proc {
	if i := pid - 100; i >= 0 && i < len(ps.procs) {
		return ps.procs[i]
	}
	return nil
}
