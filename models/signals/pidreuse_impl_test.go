package signals_test

import (
	"fmt"
	"slices"
	"syscall"
	"testing"

	"github.com/faultsim/faultsim/models/signals"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// uncheckedKill is an OCI runtime's kill that trusts the pid of its state
// file: no start-time check. With pidfd it opens a pidfd on the pid and
// signals through it; without, kill(2). Its yield points are crun's.
type uncheckedKill struct{ pidfd bool }

func (k uncheckedKill) Kill(t *sim.Task, env *signals.Env, p *proc.Proc, sig syscall.Signal) error {
	t.Yield() // the state file is read
	if !k.pidfd {
		t.Yield()
		return env.Procs.KillPIDFrom("my-runtime", p.PID, sig)
	}
	fd, err := env.Procs.PidfdOpen(nil, p.PID)
	if err != nil {
		return err
	}
	t.Yield()
	return env.Procs.PidfdSendSignalFrom("my-runtime", fd, sig)
}

// The database's handler exits at 2 s, the instant the 1 s StopContainer's
// deadline has the runtime send SIGKILL, and the pid allocator reaches its
// pid then: the seed decides the order.
const reuseScenario = `name: pid-reuse
model: signals
variant: %s
seed: %d
node: {kernel: "%s"}
faults:
  - {fault: pid-reuse, container: db, at: 2s}
containers:
  - {name: db, grace: 30s, cleanup: 1s}
steps:
  - {at: 1s, op: stop-container, container: db, timeout: 1s}
expect: pass
`

// TestPidReuseCaughtByTheInvariant runs the scenario above over seeds 1-300
// (the interleavings of the exit, the reap, the host process and the
// runtime's kill) and counts the seeds that break
// runtime-signals-own-container and any other invariant. A runtime that
// skips the start-time check signals the host process on any kernel; crun
// keeps the invariant where it has pidfd_open and breaks it without (its
// check and its kill(2) are apart).
func TestPidReuseCaughtByTheInvariant(t *testing.T) {
	for _, tt := range []struct {
		name, variant, kernel string
		impl                  *signals.Impl
		breaks                bool
	}{
		{"crun with pidfd_open", "reference", "6.1", nil, false},
		{"crun without pidfd_open", "reference", "4.19", nil, true},
		{"kill(2) unchecked, with pidfd_open", "user-kill-unchecked", "6.1", &signals.Impl{Runtime: uncheckedKill{}}, true},
		{"pidfd unchecked", "user-pidfd-unchecked", "6.1", &signals.Impl{Runtime: uncheckedKill{pidfd: true}}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.impl != nil {
				impl := *tt.impl
				impl.AskKillSignal = true
				remove, err := signals.Register(tt.variant, "a runtime kill without the start-time check", impl)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(remove)
			}
			found, other := 0, map[string]int{}
			for seed := 1; seed <= 300; seed++ {
				names, _ := violations(t, "reuse.yaml", fmt.Appendf(nil, reuseScenario, tt.variant, seed, tt.kernel))
				if slices.Contains(names, signals.InvRuntimeSignalsOwn.Name) {
					found++
				}
				for _, n := range names {
					if n != signals.InvRuntimeSignalsOwn.Name {
						other[n]++
					}
				}
			}
			if (found > 0) != tt.breaks || len(other) > 0 {
				t.Errorf("%d of 300 seeds broke %s (want some: %v); other invariants broken: %v", found, signals.InvRuntimeSignalsOwn.Name, tt.breaks, other)
			}
			t.Logf("%d of 300 seeds broke %s", found, signals.InvRuntimeSignalsOwn.Name)
		})
	}
}
