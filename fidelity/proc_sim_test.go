package fidelity

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// runProcSim runs a script on sim/proc: step i at i+1 seconds, the states
// read 900ms later; a late child installs its dispositions half a second
// before its install step.
func runProcSim(steps []pstep) ([]string, string) {
	ps := &proc.Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}}
	init := ps.Spawn("init", proc.Behaviour{NewPidNS: true})
	ns := init.NS()
	if data, err := os.ReadFile("/proc/sys/kernel/pid_max"); err == nil {
		ns.PidMax, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	}
	at := func(i int) time.Duration { return time.Duration(i+1) * time.Second }
	var order []*proc.Proc
	pid, fds := map[string]int{}, map[string]*proc.Pidfd{}
	recs := make([]string, len(steps))
	res := make([]string, len(steps))
	for i, st := range steps {
		ps.Sched.At(at(i), st.op, func() {
			switch st.op {
			case "fork":
				b := st.b
				if st.late {
					b.HandlersAt = time.Hour
					for j := i + 1; j < len(steps); j++ {
						if steps[j].op == "install" && steps[j].who == st.who {
							b.HandlersAt = at(j) - at(i) - 500*time.Millisecond
							break
						}
					}
				}
				c, err := ps.Fork(init, st.who, b)
				if err != nil {
					res[i] = errText(err)
					return
				}
				pid[st.who] = c.NSPID()
				order = append(order, c)
				res[i] = fmt.Sprintf("pid %d", c.NSPID())
			case "install":
				res[i] = "ok"
			case "kill":
				res[i] = errText(ps.KillPID(init, pid[st.who], st.sig))
			case "killpg":
				res[i] = errText(ps.KillPID(init, -pid[st.who], st.sig))
			case "self":
				res[i] = errText(ps.KillPID(init, 1, st.sig))
			case "pidfd":
				fd, err := ps.PidfdOpen(init, pid[st.who])
				if err == nil {
					fds[st.who] = fd // the driver keeps an earlier one on failure
				}
				res[i] = errText(err)
			case "pidfdkill":
				if fds[st.who] == nil {
					res[i] = errText(syscall.EBADF) // the driver's slot holds no pidfd
					break
				}
				res[i] = errText(ps.PidfdSendSignal(init, fds[st.who], st.sig))
			case "setpgid":
				res[i] = errText(ps.Setpgid(ns.Lookup(pid[st.who]), pid[st.to]))
			case "wait":
				_, ok, err := ps.WaitPID(init, pid[st.who])
				switch {
				case err != nil:
					res[i] = errText(err)
				case ok:
					res[i] = "reaped"
				default:
					res[i] = "running"
				}
			case "last":
				ns.SetLastPID(st.n)
				res[i] = "ok"
			case "pidmax":
				ns.PidMax = st.n
				res[i] = "ok"
			case "outside":
				res[i] = errText(ps.Kill("host", init, st.sig))
			}
		})
		ps.Sched.At(at(i)+900*time.Millisecond, "look", func() {
			state := "run"
			switch {
			case init.Exited:
				state = "gone"
			case init.Stopped:
				state = "stop"
			}
			snap := "snap"
			if state != "stop" {
				for j, p := range order {
					snap += " " + simState(j, p)
				}
			}
			recs[i] = fmt.Sprintf("%s | init:%s %s", res[i], state, snap)
		})
	}
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
	return recs, ps.Trace.Text()
}

// simState formats a simulated child as the driver's snap does.
func simState(i int, p *proc.Proc) string {
	var caught []string
	for _, s := range p.Caught {
		caught = append(caught, strconv.Itoa(int(s)))
	}
	c := strings.Join(caught, ",")
	if c == "" {
		c = "-"
	}
	state, pgid := "run", p.PGID()
	switch {
	case p.Reaped:
		state, pgid = "gone", 0
	case p.Exited && p.KilledBy != 0:
		state = fmt.Sprintf("sig%d", int(p.KilledBy))
	case p.Exited:
		state = fmt.Sprintf("exit%d", p.Status)
	case p.Stopped:
		state = "stop"
	}
	return fmt.Sprintf("%d:%s:%d:%s", i, state, pgid, c)
}
