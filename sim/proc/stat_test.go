package proc

import (
	"errors"
	"syscall"
	"testing"
	"time"
)

// TestStatAdoptAndNamedSenders: a subreaper that adopts a process reaps it
// as it exits and frees its pid; /proc/<pid>/stat then names the pid's next
// holder, whose start time tells it apart from the first unless both
// started within one clock tick; kill(2) by a named command reaches the
// new holder, its old pidfd does not.
func TestStatAdoptAndNamedSenders(t *testing.T) {
	for _, tt := range []struct {
		name      string
		reaps     bool          // the subreaper reaps its children
		reuseAt   time.Duration // when the pid is handed out again
		stat      byte          // pid's state after the first holder exits (0: no process)
		sameStart bool          // the new holder's start time equals the first's
	}{
		{"reaped, reused a second later", true, time.Second, 'R', false},
		{"reaped, reused within the tick", true, 5 * time.Millisecond, 'R', true},
		{"a zombie keeps its pid", false, time.Second, 'Z', true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ps := newProcs()
			sub := ps.Spawn("conmon", Behaviour{Reaps: tt.reaps})
			a := ps.Spawn("a", Behaviour{ExitAt: tt.reuseAt})
			ps.Adopt(sub, a)
			fd, err := ps.PidfdOpen(nil, a.PID)
			if err != nil {
				t.Fatal(err)
			}
			first, _ := ps.Stat(a.PID)
			drain(ps) // a exits at reuseAt
			if a.Reaped != tt.reaps {
				t.Fatalf("a reaped %v, want %v", a.Reaped, tt.reaps)
			}
			ps.Root().SetLastPID(a.PID - 1)
			b := ps.Spawn("b", Behaviour{})
			st, err := ps.Stat(a.PID)
			if err != nil || st.State != tt.stat || (st.StartTime == first.StartTime) != tt.sameStart {
				t.Fatalf("stat of pid %d: %c start %d (first %d), %v; want %c, same start %v", a.PID, st.State, st.StartTime, first.StartTime, err, tt.stat, tt.sameStart)
			}
			if tt.reaps != (b.PID == a.PID) {
				t.Fatalf("b got pid %d; a had %d", b.PID, a.PID)
			}
			if !tt.reaps {
				return
			}
			if err := ps.PidfdSendSignalFrom("crun", fd, syscall.SIGTERM); !errors.Is(err, ErrNoSuchProcess) {
				t.Fatalf("old pidfd: %v, want ESRCH", err)
			}
			if err := ps.KillPIDFrom("crun", a.PID, syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			drain(ps)
			if b.KilledBy != syscall.SIGTERM || b.Sent[0].From != "crun" {
				t.Fatalf("kill(2) by pid: b %s, sent %v", outcome(b), b.Sent)
			}
		})
	}
	ps := newProcs()
	if _, err := ps.Stat(4242); !errors.Is(err, ErrNoSuchProcess) {
		t.Fatalf("stat of a free pid: %v", err)
	}
	if err := ps.KillPIDFrom("crun", 0, syscall.SIGTERM); !errors.Is(err, ErrInvalid) {
		t.Fatalf("kill(0) from a command: %v", err)
	}
}
