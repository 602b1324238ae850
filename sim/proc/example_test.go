package proc_test

import (
	"fmt"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// A container's first process is pid 1 of its own namespace: SIGTERM from
// the node is ignored while it has no handler, SIGKILL is not.
func ExampleProcs_Kill() {
	ps := &proc.Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}}
	p := ps.Spawn("app", proc.Behaviour{NewPidNS: true})
	_ = ps.Kill("crun", p, syscall.SIGTERM)
	_ = ps.Kill("crun", p, syscall.SIGKILL)
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
	fmt.Print(ps.Trace.Text())
	// Output:
	//         0s app        pid 1 of a new pid namespace (pid 100 in its parent's)
	//         0s crun       -> app: SIGTERM
	//         0s crun       -> app: SIGKILL
	//         0s app        SIGTERM ignored: pid 1 of its pid namespace has no handler for it
	//         0s app        killed by SIGKILL (status 137)
}

// After a child is reaped its pid can be handed out again; a pidfd still
// names the process it was opened for.
func ExampleProcs_PidfdSendSignal() {
	ps := &proc.Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}}
	init := ps.Spawn("init", proc.Behaviour{NewPidNS: true})
	a, _ := ps.Fork(init, "a", proc.Behaviour{ExitAt: 1})
	fd, _ := ps.PidfdOpen(init, a.NSPID())
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
	_, _ = ps.Wait(init, a)
	init.NS().SetLastPID(1)
	b, _ := ps.Fork(init, "b", proc.Behaviour{})
	fmt.Println(a.NSPID(), b.NSPID(), ps.PidfdSendSignal(init, fd, syscall.SIGTERM))
	// Output: 2 2 no such process
}

// A shell forks a job into a process group of its own; kill(-pgid) reaches
// the whole group, and each member stays a zombie until its parent reaps it.
func ExampleProcs_KillPID() {
	ps := &proc.Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}}
	shell := ps.Spawn("shell", proc.Behaviour{})
	job, _ := ps.Fork(shell, "job", proc.Behaviour{})
	_ = ps.Setpgid(job, 0)
	worker, _ := ps.Fork(job, "worker", proc.Behaviour{})
	fmt.Println(ps.KillPID(shell, -job.PGID(), syscall.SIGTERM))
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
	fmt.Println(shell.Exited, job.Zombie(), worker.Zombie(), worker.Parent == nil)
	reaped, err := ps.Wait(shell, job)
	fmt.Println(reaped, err, job.Status)
	// Output:
	// <nil>
	// false true false true
	// true <nil> 143
}

// A runtime tells a container's process from a later holder of its pid by
// the start time in /proc/<pid>/stat, in clock ticks since the node's boot.
func ExampleProcs_Stat() {
	ps := &proc.Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}}
	a := ps.Spawn("a", proc.Behaviour{ExitAt: 2 * proc.ClockTick})
	st, _ := ps.Stat(a.PID)
	fmt.Printf("pid %d: %c, started at tick %d\n", a.PID, st.State, st.StartTime)
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
	ps.Root().SetLastPID(a.PID - 1)
	b := ps.Spawn("b", proc.Behaviour{})
	st, _ = ps.Stat(a.PID)
	fmt.Printf("pid %d: %c, started at tick %d (%s)\n", b.PID, st.State, st.StartTime, b.Name)
	// Output:
	// pid 100: R, started at tick 6000
	// pid 100: R, started at tick 6002 (b)
}

// tini -g forwards its stop signal to its process group: the worker gets
// it, the daemon that called setsid does not, and dies with the namespace.
func ExampleBehaviour_forwardToGroup() {
	ps := &proc.Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}}
	tini := ps.Spawn("tini", proc.Behaviour{OnStop: proc.Handle, NewPidNS: true, ForwardToGroup: true, Reaps: true})
	_, _ = ps.Fork(tini, "worker", proc.Behaviour{})
	daemon, _ := ps.Fork(tini, "daemon", proc.Behaviour{})
	_ = ps.Setpgid(daemon, 0)
	_ = ps.Kill("crun", tini, syscall.SIGTERM)
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
	fmt.Print(ps.Trace.Text())
	// Output:
	//         0s tini       pid 1 of a new pid namespace (pid 100 in its parent's)
	//         0s crun       -> tini: SIGTERM
	//         0s tini       forwards SIGTERM to its process group (1 process(es))
	//         0s tini       -> worker: SIGTERM
	//         0s tini       SIGTERM: cleaning up for 0s
	//         0s worker     killed by SIGTERM (status 143)
	//         0s daemon     SIGKILL: the init of its pid namespace (tini) exited
	//         0s daemon     killed by SIGKILL (status 137)
	//         0s tini       exited (status 0)
}

// cgroup.kill's SIGKILL is the kernel's own: a delivery fault on kill(2)
// neither delays nor counts it.
func ExampleProcs_KernelKill() {
	ps := &proc.Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}}
	ps.Faults = []proc.Delivery{{Nth: 1, Delay: time.Second}}
	p := ps.Spawn("child", proc.Behaviour{})
	_ = ps.KernelKill("kernel", p)
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
	fmt.Print(ps.Trace.Text())
	// Output:
	//         0s kernel     -> child: SIGKILL
	//         0s child      killed by SIGKILL (status 137)
}
