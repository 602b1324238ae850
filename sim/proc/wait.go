package proc

import "syscall"

// Live returns the processes still running (not exited), in start order.
func (ps *Procs) Live() []*Proc {
	var out []*Proc
	for _, p := range ps.procs {
		if !p.Exited {
			out = append(out, p)
		}
	}
	return out
}

// All returns every process ever started, in start order.
func (ps *Procs) All() []*Proc { return ps.procs }

// Get returns the process numbered pid in the node's namespace: the one
// holding the number now, else the last one that held it, or nil.
func (ps *Procs) Get(pid int) *Proc {
	var last *Proc
	for _, p := range ps.procs {
		if p.PID == pid {
			if !p.Reaped {
				return p
			}
			last = p
		}
	}
	return last
}

// Wait is waitpid(child, WNOHANG) by parent: it reaps child if it has
// exited (true) and frees its pid; false while it runs. ErrNoChild when
// child is not parent's or is already reaped.
func (ps *Procs) Wait(parent, child *Proc) (bool, error) {
	if child == nil || child.Reaped || child.Parent != parent {
		return false, ErrNoChild
	}
	if !child.Exited {
		return false, nil
	}
	child.Reaped = true
	return true, nil
}

// WaitPID is waitpid(pid, WNOHANG) by parent, pid as parent's namespace
// numbers it: the process it names now, reaped if it has exited.
func (ps *Procs) WaitPID(parent *Proc, pid int) (*Proc, bool, error) {
	c := parent.ns.lookup(pid)
	if c == nil {
		return nil, false, ErrNoChild
	}
	ok, err := ps.Wait(parent, c)
	return c, ok, err
}

// Setpgid is setpgid(pid of p, pgid) as p's namespace numbers pgid: 0 or
// p's own pid makes p the leader of a new group; otherwise p joins the
// group pgid, which must exist in its namespace and session (ErrPermission).
// A zombie is moved too; a reaped process is ErrNoSuchProcess.
func (ps *Procs) Setpgid(p *Proc, pgid int) error {
	if p == nil || p.Reaped { // a zombie still moves: setpgid looks it up by pid
		return ErrNoSuchProcess
	}
	if pgid == 0 || pgid == p.NSPID() {
		p.pgrp = p
		return nil
	}
	for _, q := range ps.procs {
		if !q.Reaped && q.ns == p.ns && q.sess == p.sess && q.PGID() == pgid {
			p.pgrp = q.pgrp
			return nil
		}
	}
	return ErrPermission
}

// exit ends p. The init of a pid namespace takes every other process of
// its namespace with it (SIGKILL, then reaps them all) and the namespace
// takes no new process. p's children go to its namespace's init; p stays a
// zombie until its parent reaps it, at once for the node's init or a
// parent that reaps (Behaviour.Reaps).
func (ps *Procs) exit(p *Proc, status int, by syscall.Signal) {
	if p.Exited {
		return
	}
	if p.nsInit() {
		p.ns.dead = true
		for _, q := range ps.procs {
			if q == p || q.Reaped || q.pidIn(p.ns) == 0 {
				continue
			}
			if !q.Exited {
				ps.Trace.Add(ps.Sched.Now(), q.Name, "SIGKILL: the init of its pid namespace (%s) exited", p.Name)
				ps.finish(q, 128+int(syscall.SIGKILL), syscall.SIGKILL)
			}
			q.Reaped = true
		}
	}
	ps.finish(p, status, by)
}

// finish records p's exit, hands its children on and tells its watchers.
func (ps *Procs) finish(p *Proc, status int, by syscall.Signal) {
	if p.Exited {
		return
	}
	p.Exited, p.ExitedAt, p.Status, p.KilledBy, p.Stopped = true, ps.Sched.Now(), status, by, false
	p.pending, p.frozen = nil, nil
	if by != 0 {
		if !ps.Trace.Off {
			ps.Trace.Add(p.ExitedAt, p.Name, "killed by %s (status %d)", SignalName(by), status)
		}
	} else {
		if !ps.Trace.Off {
			ps.Trace.Add(p.ExitedAt, p.Name, "exited (status %d)", status)
		}
	}
	reaper := p.ns.Init
	if reaper == p {
		reaper = nil // its children are reaped already
	}
	for _, c := range ps.procs {
		if c.Parent == p && !c.Reaped {
			c.Parent = reaper
			if c.Exited && (reaper == nil || reaper.B.Reaps) {
				c.Reaped = true
			}
		}
	}
	if p.Parent == nil || p.Parent.B.Reaps {
		p.Reaped = true
	} else if !ps.Trace.Off {
		if !ps.Trace.Off {
			ps.Trace.Add(p.ExitedAt, p.Name, "zombie until %s reaps it", p.Parent.Name)
		}
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

// Pidfd is a pidfd_open(2) file descriptor: it names the process it was
// opened for, never a later holder of the same pid.
type Pidfd struct{ p *Proc }

// Proc is the process the pidfd refers to.
func (fd *Pidfd) Proc() *Proc { return fd.p }

// Exited reports whether the pidfd polls readable: its process has exited.
func (fd *Pidfd) Exited() bool { return fd.p.Exited }

// PidfdOpen is pidfd_open(pid) by opener (nil: a process of the node's
// namespace), pid as its namespace numbers it; a zombie can be opened.
func (ps *Procs) PidfdOpen(opener *Proc, pid int) (*Pidfd, error) {
	ns := ps.Root()
	if opener != nil {
		ns = opener.ns
	}
	p := ns.lookup(pid)
	if p == nil {
		return nil, ErrNoSuchProcess
	}
	return &Pidfd{p: p}, nil
}

// PidfdSendSignal is pidfd_send_signal(2) by sender (nil: the node's
// namespace): ErrNoSuchProcess once the process is reaped, even when its
// pid now names another; ErrInvalid when the sender cannot see it.
func (ps *Procs) PidfdSendSignal(sender *Proc, fd *Pidfd, sig syscall.Signal) error {
	ns, from := ps.Root(), "node"
	if sender != nil {
		ns, from = sender.ns, sender.Name
	}
	if fd.p.Reaped {
		return ErrNoSuchProcess
	}
	if fd.p.pidIn(ns) == 0 {
		return ErrInvalid
	}
	return ps.send(from, ns, fd.p, sig)
}
