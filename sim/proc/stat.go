package proc

import (
	"syscall"
	"time"
)

// ClockTick is the unit of /proc/<pid>/stat's start time: 1/USER_HZ, with
// USER_HZ 100 on every architecture runtimes run on.
const ClockTick = 10 * time.Millisecond

// Stat is what a runtime reads of /proc/<pid>/stat to tell a process from
// a later holder of its pid: its state and its start time.
type Stat struct {
	// State is the process's state letter: 'R' running, 'T' stopped, 'D'
	// in uninterruptible sleep, 'Z' a zombie.
	State byte
	// StartTime is when it started, in clock ticks since boot (field 22).
	StartTime uint64
}

// BootedBefore is how long the node has been up at virtual time 0: its
// own daemons started then (they are not simulated, as its first pids are
// not), so no simulated process has a start time of 0 ticks.
const BootedBefore = time.Minute

// StartTicks is the process's start time as /proc/<pid>/stat gives it, in
// clock ticks since the node's boot: two processes started within one
// ClockTick have the same.
func (p *Proc) StartTicks() uint64 { return uint64((BootedBefore + p.Start) / ClockTick) }

// Stat reads /proc/<pid>/stat in the node's namespace: ErrNoSuchProcess
// (ENOENT on the file) when no process holds pid, else the state and
// start time of the one that holds it now (a zombie included).
func (ps *Procs) Stat(pid int) (Stat, error) {
	p := ps.Root().lookup(pid)
	if p == nil {
		return Stat{}, ErrNoSuchProcess
	}
	st := Stat{State: 'R', StartTime: p.StartTicks()}
	switch d, _ := p.inD(ps.Sched.Now()); {
	case p.Exited:
		st.State = 'Z'
	case p.Stopped:
		st.State = 'T'
	case d:
		st.State = 'D'
	}
	return st, nil
}

// KillPIDFrom is kill(pid, sig) by a command of the node's namespace that
// is not simulated as a process (a runtime's short-lived CLI, conmon),
// named from in the trace: as KillPID(nil, pid, sig), pid > 0 one process
// and pid < -1 the process group -pid.
func (ps *Procs) KillPIDFrom(from string, pid int, sig syscall.Signal) error {
	if pid == 0 || pid == -1 {
		return ErrInvalid
	}
	return ps.killPID(nil, from, ps.Root(), pid, sig)
}

// PidfdSendSignalFrom is pidfd_send_signal(fd, sig) by a command of the
// node's namespace named from: as PidfdSendSignal(nil, fd, sig).
func (ps *Procs) PidfdSendSignalFrom(from string, fd *Pidfd, sig syscall.Signal) error {
	if fd.p.Reaped {
		return ErrNoSuchProcess
	}
	return ps.send(from, ps.Root(), fd.p, sig)
}

// Adopt makes reaper the parent of p: what a child subreaper
// (PR_SET_CHILD_SUBREAPER, as conmon is) gets when the process that forked
// p (the OCI runtime's create) exits. reaper reaps p with Wait; if reaper
// exits first, p goes to its namespace's init as any orphan does.
func (ps *Procs) Adopt(reaper, p *Proc) {
	if p.Reaped || reaper == nil || reaper.Exited {
		return
	}
	p.Parent = reaper
}
