package fidelity

import (
	"fmt"
	"slices"
	"syscall"
	"testing"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/internal/rapidtb"
	"github.com/faultsim/faultsim/sim/proc"
)

// procSeeds and procChecks fix the process property's search, so CI runs
// the same scripts every time.
const (
	procSeeds  = 3
	procChecks = 25
)

// The signals and names the property draws from.
var (
	procSignals = []syscall.Signal{syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGSTOP, syscall.SIGCONT, syscall.SIGKILL,
		syscall.SIGQUIT, syscall.SIGUSR2, syscall.SIGTSTP, syscall.SIGINT, syscall.SIGWINCH, syscall.SIGHUP, syscall.SIGTTIN}
	procCatchable = []syscall.Signal{syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTSTP, syscall.SIGCONT, syscall.SIGHUP, syscall.SIGWINCH}
	procNames     = []string{"a", "b", "c", "d", "e"}
)

// TestProcessPropertyMatchesTheRealKernel draws scripts of up to 16 steps
// (forks with drawn dispositions, some installed late; kills, group kills,
// pidfds, setpgid, waits, ns_last_pid, signals to the init from inside and
// from the host) and compares each step as TestProcessesMatchTheRealKernel
// does.
func TestProcessPropertyMatchesTheRealKernel(t *testing.T) {
	needProc(t)
	bin := buildProcDriver(t)
	ops := map[string]int{}
	for seed := uint64(1); seed <= procSeeds; seed++ {
		rapidtb.WithSeed(seed, func() {
			rapidtb.WithChecks(procChecks, func() {
				rapid.Check(t, func(rt *rapid.T) {
					steps := drawProcScript(rt)
					simRecs, trace := runProcSim(steps)
					realRecs := runProcReal(t, bin, steps)
					for i, st := range steps {
						ops[st.op]++
						if simRecs[i] != realRecs[i] {
							rt.Fatalf("step %d (%s %s %s): the simulation and the kernel differ\n sim:  %s\n real: %s\nscript: %s\nsimulated trace:\n%s",
								i, st.op, st.who, proc.SignalName(st.sig), simRecs[i], realRecs[i], formatScript(steps), trace)
						}
					}
				})
			})
		})
	}
	t.Logf("steps compared: %v", ops)
}

// drawProcScript draws a script whose steps the driver can always run: an
// install only for a late child that no signal has reached yet (a stopped
// or dead one could not answer), a pidfd signal only after a pidfd open.
func drawProcScript(rt *rapid.T) []pstep {
	var steps []pstep
	var forked, late, touched, pidfds []string
	n := rapid.IntRange(1, 16).Draw(rt, "steps")
	for range n {
		kind := rapid.IntRange(0, 10).Draw(rt, "op")
		if len(forked) == 0 || (kind == 0 && len(forked) < len(procNames)) {
			who := procNames[len(forked)]
			st := pstep{op: "fork", who: who, late: rapid.Bool().Draw(rt, "late")}
			st.b.OnStop = proc.Disposition(rapid.IntRange(0, 2).Draw(rt, "on stop"))
			for _, sig := range procCatchable {
				switch rapid.IntRange(0, 3).Draw(rt, "disposition") {
				case 1:
					st.b.Handle = append(st.b.Handle, sig)
				case 2:
					st.b.Ignore = append(st.b.Ignore, sig)
				}
			}
			forked = append(forked, who)
			if st.late {
				late = append(late, who)
			}
			steps = append(steps, st)
			continue
		}
		who := rapid.SampledFrom(forked).Draw(rt, "who")
		sig := rapid.SampledFrom(procSignals).Draw(rt, "signal")
		switch kind {
		case 0, 1, 2:
			steps = append(steps, pstep{op: "kill", who: who, sig: sig})
			touched = append(touched, who)
		case 3:
			steps = append(steps, pstep{op: "killpg", who: who, sig: sig})
			touched = append(touched, forked...) // a group may hold any of them
		case 4:
			steps = append(steps, pstep{op: "wait", who: who})
		case 5:
			to := ""
			if rapid.Bool().Draw(rt, "join a group") {
				to = rapid.SampledFrom(forked).Draw(rt, "group")
			}
			steps = append(steps, pstep{op: "setpgid", who: who, to: to})
		case 6:
			steps = append(steps, pstep{op: "pidfd", who: who})
			pidfds = append(pidfds, who)
		case 7:
			if len(pidfds) > 0 {
				who = rapid.SampledFrom(pidfds).Draw(rt, "pidfd of")
			}
			steps = append(steps, pstep{op: "pidfdkill", who: who, sig: sig})
			touched = append(touched, forked...) // the pidfd may name another
		case 8:
			steps = append(steps, pstep{op: "last", n: rapid.IntRange(1, 6).Draw(rt, "ns_last_pid")})
		case 9:
			if rapid.Bool().Draw(rt, "from the host") && sig != syscall.SIGSTOP && sig != syscall.SIGKILL && sig != syscall.SIGTSTP && sig != syscall.SIGTTIN {
				steps = append(steps, pstep{op: "outside", sig: sig})
			} else {
				steps = append(steps, pstep{op: "self", sig: sig})
			}
		case 10:
			var can []string
			for _, l := range late {
				if !slices.Contains(touched, l) && !slices.Contains(installedOf(steps), l) {
					can = append(can, l)
				}
			}
			if len(can) > 0 {
				steps = append(steps, pstep{op: "install", who: rapid.SampledFrom(can).Draw(rt, "install")})
			}
		}
	}
	return steps
}

// installedOf lists the children a script has installed.
func installedOf(steps []pstep) []string {
	var out []string
	for _, st := range steps {
		if st.op == "install" {
			out = append(out, st.who)
		}
	}
	return out
}

// formatScript prints a script as a Go literal a table test can take.
func formatScript(steps []pstep) string {
	s := ""
	for _, st := range steps {
		s += fmt.Sprintf("\n  {op: %q, who: %q, late: %v, sig: %d, to: %q, n: %d, b: %+v},", st.op, st.who, st.late, st.sig, st.to, st.n, st.b)
	}
	return s
}
