package signals_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/faultsim/faultsim/models/signals"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// loop is a user's stop loop: the stop signal, a poll every 100 ms until
// the deadline, then SIGKILL every 100 ms until the process is gone.
// noKill never sends SIGKILL; early returns once the stop signal is sent.
type loop struct{ noKill, early bool }

func (l loop) Stop(t *sim.Task, s *signals.Stopping) {
	_ = s.Kill(t, s.StopSignal())
	if l.early {
		return
	}
	deadline := time.Duration(1<<63 - 1)
	for !s.Exited() {
		for _, to := range s.Timeouts() {
			deadline = min(deadline, t.Now()+to)
		}
		if t.Now() >= deadline {
			if !l.noKill {
				s.BeginKillLoop()
				_ = s.Kill(t, syscall.SIGKILL)
			}
			t.Sleep(signals.PollInterval)
			continue
		}
		s.Wait(t, min(signals.PollInterval, deadline-t.Now()))
	}
}

// runtime signals the process; wrong sends SIGKILL whatever it is asked.
type runtime struct{ wrong bool }

func (r runtime) Kill(t *sim.Task, env *signals.Env, p *proc.Proc, sig syscall.Signal) error {
	if r.wrong {
		sig = syscall.SIGKILL
	}
	t.Yield()
	return env.Procs.Kill("my-runtime", p, sig)
}

// monitor writes the exit status; wrong writes 137 whatever the status.
type monitor struct{ wrong bool }

func (m monitor) ProcessExited(_ string, status int) (int, bool) {
	if m.wrong {
		return 137, true
	}
	return status, true
}

const scenario = `name: user-parts
model: signals
variant: %s
seed: 1
faults: [%s]
containers:
  - {name: db, grace: 10s, cleanup: 2s}
steps:
  - {at: 1s, op: stop-container, container: db, timeout: 5s}
expect: pass
`

// TestUserParts plugs each part in alone: a correct one passes, a broken
// one breaks the invariant that observes it.
func TestUserParts(t *testing.T) {
	for _, tt := range []struct {
		name  string
		impl  signals.Impl
		fault string
		want  string
	}{
		{"loop", signals.Impl{StopLoop: loop{}}, "", "pass"},
		{"loop-ignored", signals.Impl{StopLoop: loop{}}, "{fault: ignores-stop-signal, container: db}", "pass"},
		{"loop-no-sigkill", signals.Impl{StopLoop: loop{noKill: true}}, "{fault: ignores-stop-signal, container: db}", "hang"},
		{"loop-returns-early", signals.Impl{StopLoop: loop{early: true}}, "", "stop-returns-in-time"},
		{"runtime", signals.Impl{Runtime: runtime{}}, "", "pass"},
		{"runtime-wrong", signals.Impl{Runtime: runtime{wrong: true}}, "", "stop-signal-first"},
		{"monitor", signals.Impl{Monitor: monitor{}}, "", "pass"},
		{"monitor-wrong", signals.Impl{Monitor: monitor{wrong: true}}, "", "graceful-exit-not-killed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			impl := tt.impl
			impl.AskKillSignal = true
			remove, err := signals.Register("user-"+tt.name, "a user's part", impl)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(remove)
			if got, vs := firstViolation(t, tt.name+".yaml", fmt.Appendf(nil, scenario, "user-"+tt.name, tt.fault)); got != tt.want {
				t.Errorf("got %s (%v), want %s", got, vs, tt.want)
			}
		})
	}
}

// Plugging in a stop loop of one's own: the other parts stay the
// reference's. A scenario file naming the variant runs the loop.
func ExampleRegister() {
	remove, err := signals.Register("my-loop", "my CRI server's stop loop", signals.Impl{StopLoop: loop{}, AskKillSignal: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer remove()
	s, err := scenarios.Parse("mine.yaml", fmt.Appendf(nil, scenario, "my-loop", "{fault: ignores-stop-signal, container: db}"))
	if err != nil {
		fmt.Println(err)
		return
	}
	o, err := scenarios.Run(s, false)
	fmt.Println(o.Got, err)
	// Output: pass <nil>
}
