// Package proc is the simulated node's process table, faithful to Linux:
// per-signal dispositions installed after a start-up window, pid
// namespaces whose init ignores signals it has no handler for, stopped
// processes, process groups, zombies until reaped, cyclic pid allocation
// with reuse, and pidfds. Signal delivery is a scheduled event that faults
// can drop, delay, duplicate or reorder.
package proc

import (
	"slices"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/internal/block"
	"github.com/faultsim/faultsim/sim"
)

// ErrNoSuchProcess is ESRCH: the process is gone (reaped) or unknown.
var ErrNoSuchProcess error = syscall.ESRCH

// Disposition is what a process does with a signal.
type Disposition int

// The dispositions a simulated process can have.
const (
	// Terminate is SIG_DFL: the signal's default action (for the stop
	// signals, SIGTERM and SIGINT, that ends the process).
	Terminate Disposition = iota
	// Handle: a handler runs. For the stop signals it cleans up for
	// Behaviour.Cleanup and exits 0; for others it returns (Proc.Caught).
	Handle
	// Ignore is SIG_IGN: the signal is discarded.
	Ignore
)

// Default is SIG_DFL, another name for Terminate.
const Default = Terminate

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
	// OnStop is its disposition for StopSignal, SIGTERM and SIGINT.
	OnStop Disposition
	// Cleanup is how long its stop handler takes before it exits 0 (Handle).
	Cleanup time.Duration
	// Handle and Ignore set other signals' dispositions (a handler that
	// returns; SIG_IGN). SIGKILL and SIGSTOP are never caught or ignored.
	Handle, Ignore []syscall.Signal
	// HandlersAt is when it installs its dispositions: before, every signal
	// has its default action (a process's start-up window).
	HandlersAt time.Duration
	// NewPidNS starts it as the init (pid 1) of a new pid namespace, as a
	// container's first process is.
	NewPidNS bool
	// Reaps: it waits for its children as they exit (no zombies linger).
	Reaps bool
	// ForwardToGroup: its stop-signal handler first sends the signal on to
	// every other member of its process group, as tini -g does for its
	// child's group; a member that moved to a group of its own (setsid,
	// setpgid) does not get it.
	ForwardToGroup bool
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
	// Held: a delivery fault lost the signal or held it back (drop,
	// delay, reorder).
	Held bool
}

// Proc is a simulated process.
type Proc struct {
	// PID is its pid in the node's namespace.
	PID  int
	Name string
	B    Behaviour
	// Start is when it started.
	Start time.Duration
	// Parent is the process that forked it (nil: the node's init, which
	// reaps at once); an orphan's parent becomes its namespace's init.
	Parent *Proc
	// Sent lists every signal sent to it, in order.
	Sent []SentSignal
	// Caught lists the signals its returning handlers ran for, in order.
	Caught []syscall.Signal
	// Stopped is set while it is stopped (SIGSTOP, SIGTSTP, ...).
	Stopped bool
	// Exited is set once it has exited, at ExitedAt, with Status (128+n
	// when killed by signal n, recorded in KilledBy). Until Reaped it is a
	// zombie and keeps its pid.
	Exited   bool
	ExitedAt time.Duration
	Status   int
	KilledBy syscall.Signal
	Reaped   bool
	// Handling is set once its stop handler runs; it exits 0 at HandledAt.
	Handling  bool
	HandledAt time.Duration

	ns       *PidNS // the namespace it is in (its deepest)
	pids     []int  // its pid at each level, from the node's down
	pidBuf   [2]int
	pgrp     *Proc // its process group's leader
	sess     *Proc // its session's leader
	pending  []syscall.Signal
	stopAt   time.Duration // when it last stopped
	paused   time.Duration // how long it was stopped, before stopAt
	frozen   []func()      // timers that fell due while it was stopped
	watchers []func(*Proc)
	watchBuf [2]func(*Proc) // watchers starts in it
	sentBuf  [2]SentSignal  // Sent starts in it
}

// StopSignal is the process's stop signal (SIGTERM by default).
func (p *Proc) StopSignal() syscall.Signal {
	if p.B.StopSignal == 0 {
		return syscall.SIGTERM
	}
	return p.B.StopSignal
}

// NS is the pid namespace the process is in.
func (p *Proc) NS() *PidNS { return p.ns }

// PIDIn is its pid as seen in ns, or 0 where it is not visible.
func (p *Proc) PIDIn(ns *PidNS) int { return p.pidIn(ns) }

func (p *Proc) pidIn(ns *PidNS) int {
	if p == nil || ns == nil || ns.Level > p.ns.Level {
		return 0
	}
	for o := p.ns; o != nil; o = o.Parent {
		if o == ns {
			return p.pids[ns.Level]
		}
	}
	return 0
}

// NSPID is its pid in its own namespace (1 for a namespace's init).
func (p *Proc) NSPID() int { return p.pids[len(p.pids)-1] }

// PGID is its process group's id as seen in its own namespace.
func (p *Proc) PGID() int { return p.pgrp.pidIn(p.ns) }

// Zombie reports whether it has exited and waits to be reaped.
func (p *Proc) Zombie() bool { return p.Exited && !p.Reaped }

// orphanedGroup reports whether p's process group is orphaned: no member
// that is running has a parent in another group of the same session
// (the node's init does not count).
func (ps *Procs) orphanedGroup(p *Proc) bool {
	for _, m := range ps.procs {
		if m.pgrp != p.pgrp || m.Exited || m.Parent == nil {
			continue
		}
		if m.Parent.pgrp != p.pgrp && m.Parent.sess == m.sess {
			return false
		}
	}
	return true
}

// nsInit reports whether it is the init of a pid namespace.
func (p *Proc) nsInit() bool { return p.ns.Init == p }

// disposition is what p does with sig at now.
func (p *Proc) disposition(sig syscall.Signal, now time.Duration) Disposition {
	if kernelOnly(sig) || now-p.Start < p.B.HandlersAt {
		return Default
	}
	if sig == p.StopSignal() || sig == syscall.SIGTERM || sig == syscall.SIGINT {
		return p.B.OnStop
	}
	switch {
	case slices.Contains(p.B.Ignore, sig):
		return Ignore
	case slices.Contains(p.B.Handle, sig):
		return Handle
	}
	return Default
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
	if p.watchers == nil {
		p.watchers = p.watchBuf[:0]
	}
	p.watchers = append(p.watchers, fn)
}

// Delivery says what happens to the n-th signal sent on the node (counting
// from 1): dropped (never a SIGKILL, which the kernel cannot lose),
// delayed, duplicated, or swapped with the next one.
type Delivery struct {
	Nth     int
	Drop    bool
	Delay   time.Duration
	Dup     bool
	Reorder bool
}

// held reports whether the fault loses the signal or holds it back.
func (d Delivery) held() bool { return d.Drop || d.Reorder || d.Delay > 0 }

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

	root  *PidNS
	procs []*Proc
	sent  int
	held  func() // a delivery waiting for the next signal (reorder)
	// structs are the processes', allocated a few at a time.
	structs block.Of[Proc]
}

// procsCap is the room made for a node's processes at its first: most
// runs start fewer, so the list is not grown step by step.
const procsCap = 16

// procSlab is how many processes' structs are allocated at once.
const procSlab = 4

// newProc returns a zero Proc.
func (ps *Procs) newProc() *Proc { return ps.structs.New(procSlab) }

// Spawn starts a process now, a child of the node's init in the node's
// namespace (or the init of a new one, Behaviour.NewPidNS), leading a
// session and process group of its own. It panics if
// no pid is free, which the node's namespace never runs out of.
func (ps *Procs) Spawn(name string, b Behaviour) *Proc {
	p, err := ps.start(nil, ps.Root(), name, b)
	if err != nil {
		panic("proc.Spawn: " + err.Error())
	}
	return p
}

// Fork starts a child of parent now, in parent's namespace, session and
// process group: fork(2). It fails when parent has exited (ErrNoSuchProcess),
// when its namespace's init has exited (ErrNamespaceGone), or when no pid
// is free (ErrNoPIDs).
func (ps *Procs) Fork(parent *Proc, name string, b Behaviour) (*Proc, error) {
	if parent == nil || parent.Exited {
		return nil, ErrNoSuchProcess
	}
	return ps.start(parent, parent.ns, name, b)
}

func (ps *Procs) start(parent *Proc, in *PidNS, name string, b Behaviour) (*Proc, error) {
	ns := in
	if b.NewPidNS {
		ns = ps.newNS(in)
	}
	// A pid at every level, deepest first as alloc_pid takes them.
	p := ps.newProc()
	p.Name, p.B, p.Start, p.Parent, p.ns = name, b, ps.Sched.Now(), parent, ns
	pids := p.pidBuf[:0]
	if ns.Level >= len(p.pidBuf) {
		pids = make([]int, 0, ns.Level+1)
	}
	pids = pids[:ns.Level+1]
	for o := ns; o != nil; o = o.Parent {
		n, err := o.alloc()
		if err != nil {
			return nil, err
		}
		pids[o.Level] = n
	}
	p.PID, p.pids = pids[0], pids
	p.pgrp, p.sess = p, p // what the node's init starts leads its own session
	if parent != nil {
		p.pgrp, p.sess = parent.pgrp, parent.sess
	}
	if b.NewPidNS {
		ns.Init = p
		if !ps.Trace.Off {
			ps.Trace.Add(p.Start, name, "pid 1 of a new pid namespace (pid %d in its parent's)", pids[in.Level])
		}
	}
	if ps.procs == nil {
		ps.procs = make([]*Proc, 0, procsCap)
	}
	ps.procs = append(ps.procs, p)
	if b.ExitAt > 0 {
		ps.timer(p, p.Start+b.ExitAt, " exits", func() { ps.exit(p, 0, 0) })
	}
	return p, nil
}

// timer runs fn for p once it has run until at: later by as long as p is
// stopped meanwhile (a stopped process's cleanup does not progress).
func (ps *Procs) timer(p *Proc, at time.Duration, what string, fn func()) {
	ps.Sched.AtLabel(at+p.paused, sim.L(p.Name, what), func() { ps.timerDue(p, at, what, fn) })
}

// timerDue is a timer's event: fn runs unless p has exited, or waits for
// SIGCONT while p is stopped, or for the time p was stopped meanwhile.
func (ps *Procs) timerDue(p *Proc, at time.Duration, what string, fn func()) {
	switch {
	case p.Exited:
	case p.Stopped:
		p.frozen = append(p.frozen, func() { ps.timerDue(p, at, what, fn) }) // re-armed by SIGCONT
	case ps.Sched.Now() < at+p.paused:
		ps.timer(p, at, what, fn)
	default:
		fn()
	}
}
