package proc

import (
	"slices"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// Kill sends sig to p from the node's namespace, as kill(2) by a pid that
// names p does; from names the sender. It fails with ErrNoSuchProcess once
// p is reaped; a zombie accepts and discards the signal. Delivery is a
// scheduled event, shaped by the delivery faults.
func (ps *Procs) Kill(from string, p *Proc, sig syscall.Signal) error {
	return ps.send(from, ps.Root(), p, sig)
}

// KillPID is kill(2) by sender (nil: a process of the node's namespace)
// with pid as the sender's namespace numbers it: pid > 0 one process
// (whichever holds the number now), 0 the sender's process group, -pgid
// the group pgid. A group with no member is ErrNoSuchProcess.
func (ps *Procs) KillPID(sender *Proc, pid int, sig syscall.Signal) error {
	ns, from := ps.Root(), "node"
	if sender != nil {
		ns, from = sender.ns, sender.Name
	}
	return ps.killPID(sender, from, ns, pid, sig)
}

func (ps *Procs) killPID(sender *Proc, from string, ns *PidNS, pid int, sig syscall.Signal) error {
	var leader *Proc
	switch {
	case pid > 0:
		return ps.send(from, ns, ns.lookup(pid), sig)
	case pid == -1:
		return errNotModelled
	case pid == 0:
		if sender == nil {
			return ErrInvalid
		}
		leader = sender.pgrp
	}
	var members []*Proc
	for _, q := range ps.procs {
		if q.Reaped || q.pidIn(ns) == 0 {
			continue
		}
		if (leader != nil && q.pgrp == leader) || (leader == nil && q.pgrp.pidIn(ns) == -pid) {
			members = append(members, q)
		}
	}
	if len(members) == 0 {
		return ErrNoSuchProcess
	}
	for _, q := range members {
		_ = ps.send(from, ns, q, sig)
	}
	return nil
}

// send is the kernel's send_signal from a sender in namespace from: the
// signal is forced (SIGKILL and SIGSTOP reach a namespace's init) when the
// sender's namespace is an ancestor of the target's.
func (ps *Procs) send(from string, fromNS *PidNS, p *Proc, sig syscall.Signal) error {
	if p == nil || p.Reaped || p.pidIn(fromNS) == 0 {
		return ErrNoSuchProcess
	}
	if sig == 0 || p.Exited {
		return nil // an existence check; a zombie discards the signal
	}
	force := fromNS != p.ns
	now := ps.Sched.Now()
	ps.sent++
	ps.record(from, p, sig)
	var f Delivery
	for _, d := range ps.Faults {
		if d.Nth == ps.sent {
			f = d
		}
	}
	if f.Drop && sig == syscall.SIGKILL {
		// The kernel never loses a SIGKILL: it is not queued like
		// other signals, it cannot be blocked, and the target dies.
		f.Drop = false
		if !ps.Trace.Off {
			ps.Trace.Fault(now, "signal-drop: SIGKILL to %s cannot be lost, delivered", p.Name)
		}
	}
	arrive := func() { ps.deliver(p, sig, force) }
	label := sim.L("deliver ", SignalName(sig), " to ", p.Name)
	p.Sent[len(p.Sent)-1].Held = f.held()
	prev := ps.held
	ps.held = nil
	switch {
	case f.Drop:
		if !ps.Trace.Off {
			ps.Trace.Fault(now, "signal %s to %s dropped", SignalName(sig), p.Name)
		}
	case f.Reorder:
		ps.held = func() { ps.Sched.AfterLabel(f.Delay, label, arrive) }
		// Swapped with the next signal; if none comes within a second it goes alone.
		ps.Sched.AfterLabel(time.Second, sim.L("release held ", SignalName(sig)), func() {
			if ps.held != nil {
				h := ps.held
				ps.held = nil
				h()
			}
		})
	default:
		ps.Sched.AfterLabel(f.Delay, label, arrive)
		if f.Dup {
			ps.Sched.AfterLabel(f.Delay, label, arrive)
		}
	}
	if prev != nil {
		prev()
	}
	return nil
}

// record notes a signal sent to p, for the trace and OnSend.
func (ps *Procs) record(from string, p *Proc, sig syscall.Signal) {
	now := ps.Sched.Now()
	s := SentSignal{At: now, Sig: sig, From: from}
	if p.Sent == nil {
		p.Sent = p.sentBuf[:0]
	}
	p.Sent = append(p.Sent, s)
	if !ps.Trace.Off {
		ps.Trace.Signal(now, from, p.Name, "%s", SignalName(sig))
	}
	if ps.OnSend != nil {
		ps.OnSend(p, s)
	}
}

// KernelKill is the kernel's own SIGKILL to p, not a kill(2): what writing
// a cgroup's cgroup.kill does to each of its processes. The delivery
// faults, which shape kill(2), neither apply nor count it; from names what
// asked for it. It fails with ErrNoSuchProcess once p is reaped.
func (ps *Procs) KernelKill(from string, p *Proc) error {
	if p == nil || p.Reaped {
		return ErrNoSuchProcess
	}
	if p.Exited {
		return nil
	}
	ps.record(from, p, syscall.SIGKILL)
	ps.Sched.AfterLabel(0, sim.L("deliver SIGKILL to ", p.Name), func() { ps.deliver(p, syscall.SIGKILL, true) })
	return nil
}

// forward is a ForwardToGroup handler: sig goes on to every other live
// member of p's process group that p's namespace sees.
func (ps *Procs) forward(p *Proc, sig syscall.Signal) {
	var to []*Proc
	for _, q := range ps.procs {
		if q != p && !q.Exited && q.pgrp == p.pgrp && q.pidIn(p.ns) != 0 {
			to = append(to, q)
		}
	}
	if len(to) > 0 {
		if !ps.Trace.Off {
			ps.Trace.Add(ps.Sched.Now(), p.Name, "forwards %s to its process group (%d process(es))", SignalName(sig), len(to))
		}
	}
	for _, q := range to {
		_ = ps.send(p.Name, p.ns, q, sig)
	}
}

// deliver applies a signal to a process as the kernel does: SIGCONT
// continues a stopped process whatever its disposition; a namespace's init
// ignores every signal it has no handler for, except SIGKILL and SIGSTOP
// forced from an ancestor namespace; a stopped process dies at once of
// SIGKILL and keeps every other signal pending until it continues (no
// thread of it wants the signal: complete_signal wakes none); SIGTSTP,
// SIGTTIN and SIGTTOU do not stop a process of an orphaned process group.
func (ps *Procs) deliver(p *Proc, sig syscall.Signal, force bool) {
	if p.Exited {
		return
	}
	now := ps.Sched.Now()
	if d, until := p.inD(now); d {
		if !ps.Trace.Off {
			ps.Trace.Add(now, p.Name, "%s pending: in uninterruptible sleep until %s", SignalName(sig), sim.FormatDuration(until))
		}
		ps.Sched.AtLabel(until, sim.L("wake ", p.Name), func() { ps.deliver(p, sig, force) })
		return
	}
	if sig == syscall.SIGCONT && p.Stopped {
		ps.cont(p)
	}
	disp := p.disposition(sig, now)
	early := disp == Default && now-p.Start < p.B.HandlersAt && !kernelOnly(sig)
	switch {
	case p.nsInit() && disp == Default && !(force && kernelOnly(sig)):
		if sig != syscall.SIGCONT && DefaultAction(sig) != ActIgn {
			if !ps.Trace.Off {
				ps.Trace.Add(now, p.Name, "%s ignored: pid 1 of its pid namespace has no handler for it%s", SignalName(sig), startup(early))
			}
		}
		return
	case disp == Ignore:
		if !ps.Trace.Off {
			ps.Trace.Add(now, p.Name, "%s ignored", SignalName(sig))
		}
		return
	case disp == Default && (DefaultAction(sig) == ActIgn || DefaultAction(sig) == ActCont):
		return
	}
	if p.Stopped && sig != syscall.SIGKILL {
		if disp == Default && DefaultAction(sig) == ActStop {
			return // already stopped
		}
		if !slices.Contains(p.pending, sig) {
			p.pending = append(p.pending, sig)
		}
		if !ps.Trace.Off {
			ps.Trace.Add(now, p.Name, "%s pending: stopped", SignalName(sig))
		}
		return
	}
	if disp == Default {
		switch DefaultAction(sig) {
		case ActStop:
			if sig != syscall.SIGSTOP && ps.orphanedGroup(p) {
				if !ps.Trace.Off {
					ps.Trace.Add(now, p.Name, "%s discarded: its process group is orphaned", SignalName(sig))
				}
				return
			}
			p.Stopped, p.stopAt = true, now
			if !ps.Trace.Off {
				ps.Trace.Add(now, p.Name, "stopped by %s", SignalName(sig))
			}
		default:
			if early {
				if !ps.Trace.Off {
					ps.Trace.Add(now, p.Name, "%s: default action, no handler installed yet (it installs them at %s)",
						SignalName(sig), sim.FormatDuration(p.Start+p.B.HandlersAt))
				}
			}
			ps.exit(p, 128+int(sig), sig)
		}
		return
	}
	// A handler runs.
	if sig != p.StopSignal() && sig != syscall.SIGTERM && sig != syscall.SIGINT {
		p.Caught = append(p.Caught, sig)
		if !ps.Trace.Off {
			ps.Trace.Add(now, p.Name, "%s caught", SignalName(sig))
		}
		return
	}
	if p.B.ForwardToGroup {
		ps.forward(p, sig)
	}
	if !p.Handling {
		p.Handling, p.HandledAt = true, now+p.B.Cleanup
		if !ps.Trace.Off {
			ps.Trace.Add(now, p.Name, "%s: cleaning up for %s", SignalName(sig), sim.FormatDuration(p.B.Cleanup))
		}
		ps.timer(p, p.HandledAt, " exits", func() {
			p.HandledAt = ps.Sched.Now() // later than planned if it was stopped
			ps.exit(p, 0, 0)
		})
	}
}

func startup(early bool) string {
	if early {
		return " (none installed yet)"
	}
	return ""
}

// cont continues a stopped process: its timers resume, later by the time
// it was stopped, and the signals held while it was stopped are delivered.
func (ps *Procs) cont(p *Proc) {
	now := ps.Sched.Now()
	p.Stopped = false
	p.paused += now - p.stopAt
	if !ps.Trace.Off {
		ps.Trace.Add(now, p.Name, "continued by SIGCONT")
	}
	frozen := p.frozen
	p.frozen = nil
	for _, ev := range frozen {
		ps.Sched.AtLabel(now, sim.L(p.Name, " resumes"), ev)
	}
	pending := p.pending
	p.pending = nil
	for _, sig := range pending {
		ps.deliver(p, sig, false)
	}
}
