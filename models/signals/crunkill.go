package signals

import (
	"fmt"
	"syscall"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
	"github.com/faultsim/faultsim/sim/proc"
)

// Kill is crun's `kill <id> <signal>` (libcrun_container_kill, then
// libcrun_kill_linux). The container's state file gives the pid and the
// start time recorded at create (all Kill reads of p). Where the kernel has
// pidfd_open (5.3) crun opens a pidfd on the pid, checks the pid's start
// time (libcrun_check_pid_valid: the process holding the pid now must have
// the recorded start time and not be a zombie) and signals through the
// pidfd; without it (ENOSYS) it checks the start time and kill(2)s
// whatever holds the pid by then. The yield points are the exec and state
// read before the first system call and the gap between the check and the
// signal: the process may exit, conmon reap it and another process take its
// pid there. pidfd_open and the check are one step: a reuse between them
// fails the check just as one after it fails the signal.
func (crunKill) Kill(t *sim.Task, env *Env, p *proc.Proc, sig syscall.Signal) error {
	ps := env.Procs
	pid, start := p.PID, p.StartTicks()
	alive := !p.Exited
	esrch := func(why string) error {
		if !env.w.trace.Off {
			env.Log("crun", "kill %s: no such process (%s)", p.Name, why)
		}
		if alive {
			env.w.exitsInsideKill++
		}
		return fmt.Errorf("kill container: %w", proc.ErrNoSuchProcess)
	}
	t.Yield() // the state file is read; pidfd_open(pid) comes next
	if !env.Node.Has(node.PidfdOpen) {
		if !env.w.trace.Off {
			env.Log("crun", "pidfd_open: ENOSYS on kernel %s: kill(2) on pid %d after checking its start time", env.Node.Kernel, pid)
		}
		if !crunPidValid(ps, pid, start) {
			return esrch(fmt.Sprintf("pid %d is not the container's process", pid))
		}
		if !env.w.trace.Off {
			env.Log("crun", "pid %d started at tick %d: the container's process", pid, start)
		}
		t.Yield() // between the check and kill(2): the window crun's comment names
		if err := ps.KillPIDFrom("crun", pid, sig); err != nil {
			return esrch(fmt.Sprintf("kill(2): no process holds pid %d", pid))
		}
		return nil
	}
	fd, err := ps.PidfdOpen(nil, pid)
	if err != nil {
		return esrch("pidfd_open: process not running")
	}
	if !crunPidValid(ps, pid, start) {
		return esrch(fmt.Sprintf("pid %d is not the container's process", pid))
	}
	if !env.w.trace.Off {
		env.Log("crun", "pidfd of pid %d, started at tick %d: the container's process", pid, start)
	}
	t.Yield() // between the check and the signal
	// crun falls back to an unchecked kill(2) if pidfd_send_signal is
	// ENOSYS, which no kernel with pidfd_open (5.3) is: not modelled.
	if err := ps.PidfdSendSignalFrom("crun", fd, sig); err != nil {
		return esrch("pidfd_send_signal: the pidfd's process is gone")
	}
	return nil
}

// crunPidValid is libcrun_check_pid_valid: a recorded start time of 0
// means none was recorded (the pid is taken as valid); otherwise the
// process holding pid now must have started at that clock tick and not be
// a zombie. A pid no process holds reads as start time 0.
func crunPidValid(ps *proc.Procs, pid int, start uint64) bool {
	if start == 0 {
		return true
	}
	st, err := ps.Stat(pid)
	if err != nil {
		return false
	}
	return st.StartTime == start && st.State != 'Z'
}
