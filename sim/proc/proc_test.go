package proc

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSignalDelivery sends SIGTERM then SIGKILL (1 s apart) to a process
// and checks how each disposition and delivery fault plays out.
func TestSignalDelivery(t *testing.T) {
	tests := []struct {
		name     string
		b        Behaviour
		faults   []Delivery
		exitAt   time.Duration
		killedBy syscall.Signal
	}{
		{"terminate", Behaviour{OnStop: Terminate}, nil, 0, syscall.SIGTERM},
		{"handle within a second", Behaviour{OnStop: Handle, Cleanup: 500 * time.Millisecond}, nil, 500 * time.Millisecond, 0},
		{"handle too slow", Behaviour{OnStop: Handle, Cleanup: 5 * time.Second}, nil, time.Second, syscall.SIGKILL},
		{"ignore", Behaviour{OnStop: Ignore}, nil, time.Second, syscall.SIGKILL},
		{"SIGTERM dropped", Behaviour{OnStop: Terminate}, []Delivery{{Nth: 1, Drop: true}}, time.Second, syscall.SIGKILL},
		{"SIGTERM delayed", Behaviour{OnStop: Terminate}, []Delivery{{Nth: 1, Delay: 300 * time.Millisecond}}, 300 * time.Millisecond, syscall.SIGTERM},
		{"SIGTERM reordered after SIGKILL", Behaviour{OnStop: Terminate}, []Delivery{{Nth: 1, Reorder: true}}, time.Second, syscall.SIGKILL},
		{"SIGTERM duplicated, handled once", Behaviour{OnStop: Handle, Cleanup: 200 * time.Millisecond}, []Delivery{{Nth: 1, Dup: true}}, 200 * time.Millisecond, 0},
		{"D state holds SIGKILL", Behaviour{OnStop: Ignore, DFrom: 0, DFor: 3 * time.Second}, nil, 3 * time.Second, syscall.SIGKILL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := &Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}, Faults: tt.faults}
			p := ps.Spawn("p", tt.b)
			exits := 0
			p.Watch(func(*Proc) { exits++ })
			ps.Sched.At(0, "term", func() { _ = ps.Kill("t", p, syscall.SIGTERM) })
			ps.Sched.At(time.Second, "kill", func() { _ = ps.Kill("t", p, syscall.SIGKILL) })
			for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
				ev.Do()
			}
			if !p.Exited || p.ExitedAt != tt.exitAt || p.KilledBy != tt.killedBy || exits != 1 {
				t.Fatalf("exited %v at %s by %v (%d watcher calls); want at %s by %v\n%s",
					p.Exited, p.ExitedAt, p.KilledBy, exits, tt.exitAt, tt.killedBy, ps.Trace.Text())
			}
			if len(p.Sent) != 2 && p.ExitedAt >= time.Second {
				t.Fatalf("sent %v, want both signals recorded", p.Sent)
			}
		})
	}
}

func TestKillExitedProcess(t *testing.T) {
	ps := &Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}}
	p := ps.Spawn("p", Behaviour{ExitAt: time.Second})
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
	if err := ps.Kill("t", p, syscall.SIGTERM); !errors.Is(err, ErrNoSuchProcess) {
		t.Fatalf("Kill after exit = %v, want ErrNoSuchProcess", err)
	}
	if p.Status != 0 || len(ps.Live()) != 0 || ps.Get(p.PID) != p || ps.Get(7) != nil {
		t.Fatalf("status %d, live %d", p.Status, len(ps.Live()))
	}
}

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]syscall.Signal{"SIGTERM": 15, "TERM": 15, "9": 9, "SIGQUIT": 3, "7": 7} {
		if got, err := ParseSignal(in); err != nil || got != want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "SIGFOO", "0", "64"} {
		if _, err := ParseSignal(bad); err == nil {
			t.Errorf("ParseSignal(%q) accepted", bad)
		}
	}
}
