package fidelity

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faultsim/faultsim/sim/proc"
)

// pstep is one step of a process script, run by the driver (pid 1 of a
// private pid namespace) on the real kernel and by the namespace's init on
// the simulated one.
type pstep struct {
	op   string         // fork, install, kill, killpg, pidfd, pidfdkill, setpgid, wait, last, pidmax, self, outside
	who  string         // the child forked, installed, signalled (by the pid it got), waited for, ...
	b    proc.Behaviour // fork: OnStop (SIGTERM, SIGINT), Handle, Ignore
	late bool           // fork: the dispositions wait for an install step
	sig  syscall.Signal // kill, killpg, pidfdkill, self (kill(1) from inside), outside (from the host)
	to   string         // setpgid: the group (by its leader; "" a new group)
	n    int            // last: ns_last_pid; pidmax: pid_max
}

// procScripts are the differential scripts.
var procScripts = []struct {
	name  string
	steps []pstep
}{
	{"dispositions and the start-up window", []pstep{
		{op: "fork", who: "a", b: proc.Behaviour{OnStop: proc.Handle}},
		{op: "fork", who: "b", late: true, b: proc.Behaviour{OnStop: proc.Handle, Handle: []syscall.Signal{syscall.SIGUSR1}}},
		{op: "fork", who: "c", b: proc.Behaviour{OnStop: proc.Ignore, Ignore: []syscall.Signal{syscall.SIGUSR1}}},
		{op: "fork", who: "d", late: true, b: proc.Behaviour{OnStop: proc.Handle}},
		{op: "kill", who: "c", sig: syscall.SIGUSR1},
		{op: "kill", who: "c", sig: syscall.SIGTERM},
		{op: "kill", who: "b", sig: syscall.SIGWINCH},
		{op: "install", who: "b"},
		{op: "kill", who: "b", sig: syscall.SIGUSR1},
		{op: "kill", who: "d", sig: syscall.SIGTERM},
		{op: "kill", who: "a", sig: syscall.SIGTERM},
		{op: "kill", who: "c", sig: syscall.SIGQUIT},
		{op: "kill", who: "b", sig: syscall.SIGINT},
		{op: "wait", who: "a"},
		{op: "wait", who: "d"},
		{op: "wait", who: "d"},
		{op: "self", sig: syscall.SIGTERM},
		{op: "self", sig: syscall.SIGKILL},
		{op: "self", sig: syscall.SIGSTOP},
	}},
	{"stopped processes", []pstep{
		{op: "fork", who: "a", b: proc.Behaviour{Handle: []syscall.Signal{syscall.SIGUSR1}}},
		{op: "fork", who: "b"},
		{op: "fork", who: "c"},
		{op: "kill", who: "a", sig: syscall.SIGSTOP},
		{op: "kill", who: "a", sig: syscall.SIGUSR1},
		{op: "wait", who: "a"},
		{op: "kill", who: "a", sig: syscall.SIGCONT},
		{op: "kill", who: "b", sig: syscall.SIGSTOP},
		{op: "kill", who: "b", sig: syscall.SIGTERM},
		{op: "kill", who: "c", sig: syscall.SIGTSTP},
		{op: "kill", who: "c", sig: syscall.SIGQUIT},
		{op: "kill", who: "c", sig: syscall.SIGCONT},
		{op: "kill", who: "a", sig: syscall.SIGSTOP},
		{op: "kill", who: "a", sig: syscall.SIGKILL},
	}},
	{"process groups", []pstep{
		{op: "fork", who: "a"},
		{op: "fork", who: "b"},
		{op: "fork", who: "c", b: proc.Behaviour{Ignore: []syscall.Signal{syscall.SIGUSR2}}},
		{op: "setpgid", who: "a"},
		{op: "setpgid", who: "b", to: "a"},
		{op: "killpg", who: "c", sig: syscall.SIGUSR2},
		{op: "killpg", who: "a", sig: syscall.SIGUSR1},
		{op: "killpg", who: "a", sig: syscall.SIGUSR1},
		{op: "wait", who: "a"},
		{op: "killpg", who: "a", sig: syscall.SIGUSR1},
		{op: "last", n: 1},
		{op: "fork", who: "d"},
		{op: "wait", who: "b"},
		{op: "killpg", who: "a", sig: syscall.SIGUSR1},
		{op: "setpgid", who: "c", to: "a"},
		{op: "last", n: 1},
		{op: "fork", who: "e"},
	}},
	{"zombies, pid reuse and pidfds", []pstep{
		{op: "fork", who: "a"},
		{op: "fork", who: "b"},
		{op: "pidfd", who: "a"},
		{op: "kill", who: "a", sig: syscall.SIGTERM},
		{op: "pidfdkill", who: "a", sig: syscall.SIGUSR1},
		{op: "last", n: 1},
		{op: "fork", who: "c"},
		{op: "wait", who: "a"},
		{op: "pidfdkill", who: "a", sig: syscall.SIGUSR1},
		{op: "kill", who: "a", sig: syscall.SIGUSR1},
		{op: "last", n: 1},
		{op: "fork", who: "d", b: proc.Behaviour{Handle: []syscall.Signal{syscall.SIGUSR1}}},
		{op: "kill", who: "a", sig: syscall.SIGUSR1},
		{op: "pidfdkill", who: "a", sig: syscall.SIGUSR1},
		{op: "pidmax", n: 400},
		{op: "last", n: 398},
		{op: "fork", who: "e"},
		{op: "fork", who: "f"},
		{op: "kill", who: "e", sig: syscall.SIGKILL},
		{op: "wait", who: "e"},
		{op: "last", n: 398},
		{op: "fork", who: "g"},
		{op: "fork", who: "h"},
	}},
	{"the namespace's init, signalled from the host", []pstep{
		{op: "fork", who: "a", b: proc.Behaviour{OnStop: proc.Handle}},
		{op: "fork", who: "b"},
		{op: "kill", who: "b", sig: syscall.SIGTERM},
		{op: "outside", sig: syscall.SIGTERM},
		{op: "outside", sig: syscall.SIGUSR1},
		{op: "outside", sig: syscall.SIGSTOP},
		{op: "outside", sig: syscall.SIGCONT},
		{op: "kill", who: "a", sig: syscall.SIGUSR2},
		{op: "fork", who: "c"},
		{op: "fork", who: "d"},
		{op: "kill", who: "d", sig: syscall.SIGSTOP},
		{op: "outside", sig: syscall.SIGKILL},
	}},
}

// TestProcessesMatchTheRealKernel runs each script on the real kernel, in
// a private pid namespace whose init is the C driver, and on sim/proc, and
// compares every step's answer and then every process's state (running,
// stopped, a zombie with its exit status, reaped), process group and
// caught signals, and the init's own state.
func TestProcessesMatchTheRealKernel(t *testing.T) {
	needProc(t)
	bin := buildProcDriver(t)
	for _, sc := range procScripts {
		t.Run(sc.name, func(t *testing.T) {
			simRecs, trace := runProcSim(sc.steps)
			realRecs := runProcReal(t, bin, sc.steps)
			for i, st := range sc.steps {
				if simRecs[i] != realRecs[i] {
					t.Fatalf("step %d (%s %s %s): the simulation and the kernel differ\n sim:  %s\n real: %s\nsimulated trace:\n%s",
						i, st.op, st.who, proc.SignalName(st.sig), simRecs[i], realRecs[i], trace)
				}
			}
		})
	}
}

// needProc fails (or skips, with FAULTSIM_FIDELITY=skip) without root or cc.
func needProc(t *testing.T) {
	t.Helper()
	need(t)
	if _, err := exec.LookPath("cc"); err != nil {
		msg := "FIDELITY TEST NOT RUN: it needs cc on the PATH to build its helper (Debian: apt-get install gcc libc6-dev)"
		if os.Getenv("FAULTSIM_FIDELITY") == optOut {
			t.Skip(msg + " (skipped because FAULTSIM_FIDELITY=skip)")
		}
		t.Fatal(msg + "; make install-fidelity-tools installs it, or set FAULTSIM_FIDELITY=skip to skip")
	}
}

// sigs is a signal list in the driver's form: "10,12", or "-".
func sigs(list []syscall.Signal) string {
	if len(list) == 0 {
		return "-"
	}
	var s []string
	for _, sig := range list {
		s = append(s, strconv.Itoa(int(sig)))
	}
	return strings.Join(s, ",")
}

// errText is an answer for an error: "err N" with the errno.
func errText(err error) string {
	var en syscall.Errno
	if err == nil {
		return "ok"
	}
	if errors.As(err, &en) {
		return fmt.Sprintf("err %d", int(en))
	}
	return "err " + err.Error()
}

// runProcReal runs a script on the real kernel; each record is the step's
// answer and the states after it.
func runProcReal(t *testing.T, bin *os.File, steps []pstep) []string {
	d := startProcDriver(t, bin)
	defer d.stop()
	idx, pid := map[string]int{}, map[string]int{}
	var recs, caught []string
	for i, st := range steps {
		var res string
		switch st.op {
		case "fork":
			idx[st.who] = len(idx)
			term := map[proc.Disposition]string{proc.Default: "d", proc.Handle: "h", proc.Ignore: "i"}[st.b.OnStop]
			res = d.do(t, "fork %d %d %s %s %s", idx[st.who], map[bool]int{true: 1}[st.late], term, sigs(st.b.Handle), sigs(st.b.Ignore))
			if n, ok := strings.CutPrefix(res, "pid "); ok {
				pid[st.who], _ = strconv.Atoi(n)
			}
			if os.Getenv(procHoldEnv) != "" {
				time.Sleep(time.Minute) // TestInterruptedProcessTestLeavesNothing kills it here
			}
		case "install":
			res = d.do(t, "install %d", idx[st.who])
		case "kill":
			res = d.do(t, "kill %d %d", pid[st.who], st.sig)
		case "killpg":
			res = d.do(t, "kill %d %d", -pid[st.who], st.sig)
		case "self":
			res = d.do(t, "kill 1 %d", st.sig)
		case "pidfd":
			res = d.do(t, "pidfd %d %d", idx[st.who], pid[st.who])
		case "pidfdkill":
			res = d.do(t, "pidfdkill %d %d", idx[st.who], st.sig)
		case "setpgid":
			res = d.do(t, "setpgid %d %d", pid[st.who], pid[st.to])
		case "wait":
			res = d.do(t, "wait %d", pid[st.who])
		case "last":
			res = d.do(t, "last %d", st.n)
		case "pidmax":
			res = d.do(t, "pidmax %d", st.n)
		case "outside":
			res = errText(syscall.Kill(d.hostPID, st.sig))
			d.settle(t)
		default:
			t.Fatalf("step %d: unknown op %q", i, st.op)
		}
		state := d.state()
		snap := "snap"
		switch state {
		case "run":
			snap = d.do(t, "snap")
			caught = caught[:0]
			for _, f := range strings.Fields(snap)[1:] {
				caught = append(caught, f[strings.LastIndexByte(f, ':')+1:])
			}
		case "gone":
			_ = d.cmd.Wait()
			if n := d.nsProcesses(); n != 0 {
				snap = fmt.Sprintf("%d processes left in the namespace", n)
			} else {
				for j := 0; j < len(idx); j++ {
					c := "-" // the signals it caught, as last seen
					if j < len(caught) {
						c = caught[j]
					}
					snap += fmt.Sprintf(" %d:gone:0:%s", j, c)
				}
			}
		}
		recs = append(recs, fmt.Sprintf("%s | init:%s %s", res, state, snap))
	}
	return recs
}

// procHoldEnv makes the process test wait after its first fork, so that
// TestInterruptedProcessTestLeavesNothing can kill it mid-run.
const procHoldEnv = "FAULTSIM_FIDELITY_PROC_HOLD"

// TestInterruptedProcessTestLeavesNothing runs the process test in this
// test binary again, holds it after the driver's first fork, and kills it
// (SIGKILL, SIGTERM): the driver's parent-death signal kills the
// namespace's init and the kernel every process in it, so no process of
// that run may remain. (Its build lives in a private tmpfs.)
func TestInterruptedProcessTestLeavesNothing(t *testing.T) {
	needProc(t)
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		t.Run(proc.SignalName(sig), func(t *testing.T) {
			mark := fmt.Sprintf("FAULTSIM_FIDELITY_MARK=%d-proc-%d", os.Getpid(), sig)
			cmd := exec.Command(os.Args[0], "-test.run", "^TestProcessesMatchTheRealKernel$", "-test.timeout", "2m")
			cmd.Env = append(os.Environ(), mark, procHoldEnv+"=1")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// The driver and its first child run.
			for deadline := time.Now().Add(30 * time.Second); drivers(mark) < 2; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
					t.Fatal("the process test started no driver and child in 30 s")
				}
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			deadline := time.Now().Add(2 * time.Second)
			for procs := marked(mark); len(procs) > 0; procs = marked(mark) {
				if time.Now().After(deadline) {
					t.Errorf("processes of the interrupted run remain: %v", procs)
					for _, p := range procs {
						_ = syscall.Kill(p, syscall.SIGKILL)
					}
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// drivers counts the marked processes that are the driver or its children.
func drivers(mark string) int {
	n := 0
	for _, pid := range marked(mark) {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if strings.HasPrefix(string(cmdline), "faultsim-procdrv\x00") {
			n++
		}
	}
	return n
}
