package proc

import (
	"errors"
	"syscall"
)

// ReservedPIDs is where a namespace's pid allocator starts again once its
// cursor has passed it (the kernel's RESERVED_PIDS): numbers below are
// handed out only on the way up from 1, before the first wrap.
const ReservedPIDs = 300

// DefaultPidMax is /proc/sys/kernel/pid_max as systemd sets it.
const DefaultPidMax = 4194304

// The errors of the process calls, as the kernel's errnos.
var (
	// ErrNoChild is waitpid's ECHILD: not a child of the caller, or reaped.
	ErrNoChild = syscall.ECHILD
	// ErrNoPIDs is fork's EAGAIN when every pid of a namespace is taken.
	ErrNoPIDs = syscall.EAGAIN
	// ErrNamespaceGone is fork's ENOMEM once a namespace's init has exited.
	ErrNamespaceGone = syscall.ENOMEM
	// ErrPermission is setpgid's EPERM for a group that does not exist.
	ErrPermission = syscall.EPERM
	// ErrInvalid is EINVAL: a pidfd of a process the caller cannot see, a
	// pid argument not modelled.
	ErrInvalid = syscall.EINVAL
)

// PidNS is a pid namespace: its own numbering of the processes in it and
// below it, its init (the first process), and a cyclic pid allocator.
type PidNS struct {
	Parent *PidNS
	// Level is 0 for the node's namespace and one more per nesting.
	Level int
	// Init is the namespace's first process, pid 1 (nil for the node's,
	// whose init is not simulated).
	Init *Proc
	// PidMax bounds its numbers to 1..PidMax-1 (per namespace since 6.14).
	PidMax int

	next int // the allocator's cursor: ns_last_pid + 1
	dead bool
	ps   *Procs
}

// LastPID is the namespace's /proc/sys/kernel/ns_last_pid.
func (ns *PidNS) LastPID() int { return ns.next - 1 }

// SetLastPID writes ns_last_pid: the next allocation starts after n.
func (ns *PidNS) SetLastPID(n int) { ns.next = n + 1 }

// alloc is the kernel's alloc_pid for one level: idr_alloc_cyclic from the
// cursor up to PidMax-1, then from the minimum (1, or ReservedPIDs once the
// cursor has passed it) up to the cursor.
func (ns *PidNS) alloc() (int, error) {
	if ns.dead {
		return 0, ErrNamespaceGone
	}
	low := 1
	if ns.next > ReservedPIDs {
		low = ReservedPIDs
	}
	start := max(ns.next, low)
	for n := start; n < ns.PidMax; n++ {
		if !ns.used(n) {
			ns.next = n + 1
			return n, nil
		}
	}
	for n := low; n < start && n < ns.PidMax; n++ {
		if !ns.used(n) {
			ns.next = n + 1
			return n, nil
		}
	}
	return 0, ErrNoPIDs
}

// used reports whether n is taken in ns: by a process not yet reaped, or
// as the id of a process group that still has members (the kernel frees a
// pid only once no task uses it as pid, group or session).
func (ns *PidNS) used(n int) bool {
	for _, p := range ns.ps.procs {
		if p.Reaped {
			continue
		}
		if p.pidIn(ns) == n || p.pgrp.pidIn(ns) == n {
			return true
		}
	}
	return false
}

// Lookup finds the process numbered n in ns that is not reaped (a zombie
// included), or nil: what a pid names now.
func (ns *PidNS) Lookup(n int) *Proc { return ns.lookup(n) }

func (ns *PidNS) lookup(n int) *Proc {
	for _, p := range ns.ps.procs {
		if !p.Reaped && p.pidIn(ns) == n {
			return p
		}
	}
	return nil
}

// newNS makes a child namespace of parent.
func (ps *Procs) newNS(parent *PidNS) *PidNS {
	ns := &PidNS{Parent: parent, PidMax: DefaultPidMax, next: 1, ps: ps}
	if parent != nil {
		ns.Level = parent.Level + 1
		ns.PidMax = parent.PidMax
	}
	return ns
}

// Root is the node's pid namespace. Its first process gets pid 100 (the
// node's own daemons before it are not simulated).
func (ps *Procs) Root() *PidNS {
	if ps.root == nil {
		ps.root = ps.newNS(nil)
		ps.root.SetLastPID(99)
	}
	return ps.root
}

// errNotModelled is returned for kill(-1, ...).
var errNotModelled = errors.New("kill(-1): signalling every process is not modelled")
