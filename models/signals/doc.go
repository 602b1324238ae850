// Package signals models the graceful stop of containers on a node, in
// virtual time: kubelet (grace periods, pod deletion, graceful node
// shutdown), a CRI-O-like CRI server whose stop loop sends the stop signal
// through the OCI runtime and SIGKILL at the deadline, conmon watching each
// container's exit, the OCI runtime creating each container's systemd
// scope from the CRI server's annotations plus its own defaults, systemd's
// node-shutdown transaction, and the container processes themselves. The
// CRI server's request handlers and stop loops are sim.Tasks with the
// yield points of CRI-O's internal/oci (state checks, stopLock, opLock,
// the stop loop's select, crun's pid lookup, start-time check and signal),
// so another call, an exit, a reap, a process taking a freed pid or a timer
// can land between a check and an act. A container's process may fork
// children (some in a process group of their own) and forward its stop
// signal to its group (tini -g); in the node's pid namespace (host_pid)
// nothing kills them when it exits, so CRI-O has crun kill -a the
// container's cgroup (cgroup.kill, else freeze, kill(2) to each process,
// thaw), as the node's cgroup mode and kernel allow; the generator draws
// both.
//
// Variants differ in the OCI runtime's scope properties: "reference" puts
// its own defaults first, as crun 1.17 and runc do, so the annotations win;
// "crun-1.16" appends its DefaultDependencies=false after the annotations,
// so a container's scope leaves the orderly shutdown transaction and its
// processes are SIGKILLed at the end of shutdown with no grace (incident 2,
// cri-o/cri-o#8609, fixed by containers/crun#1526).
//
// The invariants are the stop contract, not the bug: a process that exits
// within its grace period is never SIGKILLed; nothing is SIGKILLed before
// its grace period unless the timeout was 0; the first signal is the stop
// signal; StopContainer is idempotent, returns in time, and the process is
// gone when it returns; the exit status is the process's own; the scope
// has the properties the annotations asked for; ExecSync with a timeout
// returns by then (conmon SIGKILLs the command's process group and
// answers exit code -1) and leaves no command running unless the node lost
// the signals; a signal the OCI runtime sends for a
// container reaches only that container's processes, never a process that
// took one of its pids (crun keeps it with pidfd_open; without, and within
// the clock tick of the container's start, it does not: kept findings in
// the corpus); nothing a container's process forked outlives it
// (container-tree-gone); every call returns (hang)
// and, after a fault-free liveness phase, nothing is left over (converged).
// They are defined once, in invariants.go, with one tolerance (Epsilon)
// and, past a stop's deadline where the node held a SIGKILL back, the
// stop loop's SIGKILL back-off (MaxKillBackoff) on top; the stopcheck
// subpackage checks goroutine-based StopContainer implementations against
// the same names with Epsilon alone, a stricter bound for a stopper whose
// SIGKILL an uninterruptible sleep held back (not yet aligned).
package signals
