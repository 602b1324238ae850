package proc

import (
	"syscall"
	"testing"
	"time"

	"github.com/faultsim/faultsim/sim"
)

func newProcs() *Procs { return &Procs{Sched: sim.NewScheduler(nil), Trace: &sim.Trace{}} }

func drain(ps *Procs) {
	for ev := ps.Sched.Next(); ev != nil; ev = ps.Sched.Next() {
		ev.Do()
	}
}

// outcome names what a signal did to a process.
func outcome(p *Proc) string {
	switch {
	case p.Exited && p.KilledBy != 0:
		return "killed by " + SignalName(p.KilledBy)
	case p.Exited:
		return "exited 0"
	case p.Stopped:
		return "stopped"
	case len(p.Caught) > 0:
		return "caught " + SignalName(p.Caught[len(p.Caught)-1])
	case p.Handling:
		return "handling"
	}
	return "running"
}

// TestDispositions sends one signal, at 1s, to a process started at 0 and
// reads what happened, for each disposition, start-up window and pid
// namespace position (the init of its own namespace, signalled from the
// node's namespace: an ancestor; or from a sibling in its namespace).
func TestDispositions(t *testing.T) {
	usr1 := syscall.SIGUSR1
	tests := []struct {
		name   string
		b      Behaviour
		inside bool // sent from a process inside the target's namespace
		sig    syscall.Signal
		want   string
	}{
		{"SIGTERM default", Behaviour{}, false, syscall.SIGTERM, "killed by SIGTERM"},
		{"SIGTERM handled", Behaviour{OnStop: Handle, Cleanup: time.Second}, false, syscall.SIGTERM, "exited 0"},
		{"SIGTERM ignored", Behaviour{OnStop: Ignore}, false, syscall.SIGTERM, "running"},
		{"SIGQUIT default dumps core", Behaviour{}, false, syscall.SIGQUIT, "killed by SIGQUIT"},
		{"SIGUSR1 default terminates", Behaviour{}, false, usr1, "killed by SIGUSR1"},
		{"SIGUSR1 caught", Behaviour{Handle: []syscall.Signal{usr1}}, false, usr1, "caught SIGUSR1"},
		{"SIGUSR1 ignored", Behaviour{Ignore: []syscall.Signal{usr1}}, false, usr1, "running"},
		{"SIGWINCH default ignored", Behaviour{}, false, syscall.SIGWINCH, "running"},
		{"SIGKILL cannot be ignored", Behaviour{Ignore: []syscall.Signal{syscall.SIGKILL}}, false, syscall.SIGKILL, "killed by SIGKILL"},
		{"SIGSTOP cannot be caught", Behaviour{Handle: []syscall.Signal{syscall.SIGSTOP}}, false, syscall.SIGSTOP, "stopped"},
		{"SIGTSTP: an orphaned group does not stop", Behaviour{}, false, syscall.SIGTSTP, "running"},
		{"SIGTSTP caught", Behaviour{Handle: []syscall.Signal{syscall.SIGTSTP}}, false, syscall.SIGTSTP, "caught SIGTSTP"},
		{"start-up window: handler not yet installed", Behaviour{OnStop: Handle, HandlersAt: 2 * time.Second}, false, syscall.SIGTERM, "killed by SIGTERM"},
		{"start-up window: SIG_IGN not yet set", Behaviour{Ignore: []syscall.Signal{usr1}, HandlersAt: 2 * time.Second}, false, usr1, "killed by SIGUSR1"},
		{"after the start-up window", Behaviour{OnStop: Handle, HandlersAt: 500 * time.Millisecond}, false, syscall.SIGTERM, "exited 0"},
		{"ns init, default SIGTERM from an ancestor", Behaviour{NewPidNS: true}, false, syscall.SIGTERM, "running"},
		{"ns init, default SIGTERM from inside", Behaviour{NewPidNS: true}, true, syscall.SIGTERM, "running"},
		{"ns init, handled SIGTERM", Behaviour{NewPidNS: true, OnStop: Handle}, true, syscall.SIGTERM, "exited 0"},
		{"ns init, start-up window", Behaviour{NewPidNS: true, OnStop: Handle, HandlersAt: 2 * time.Second}, false, syscall.SIGTERM, "running"},
		{"ns init, SIGKILL from an ancestor", Behaviour{NewPidNS: true}, false, syscall.SIGKILL, "killed by SIGKILL"},
		{"ns init, SIGKILL from inside", Behaviour{NewPidNS: true}, true, syscall.SIGKILL, "running"},
		{"ns init, SIGSTOP from an ancestor", Behaviour{NewPidNS: true}, false, syscall.SIGSTOP, "stopped"},
		{"ns init, SIGSTOP from inside", Behaviour{NewPidNS: true}, true, syscall.SIGSTOP, "running"},
		{"ns init, SIGQUIT default from an ancestor", Behaviour{NewPidNS: true}, false, syscall.SIGQUIT, "running"},
		{"ns init, SIGUSR1 caught", Behaviour{NewPidNS: true, Handle: []syscall.Signal{usr1}}, true, usr1, "caught SIGUSR1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := newProcs()
			p := ps.Spawn("p", tt.b)
			var sender *Proc
			if tt.inside {
				if !tt.b.NewPidNS {
					t.Fatal("inside needs a namespace")
				}
				var err error
				if sender, err = ps.Fork(p, "sibling", Behaviour{}); err != nil {
					t.Fatal(err)
				}
			}
			ps.Sched.At(time.Second, "signal", func() {
				if err := ps.KillPID(sender, p.PIDIn(nsOf(sender, ps)), tt.sig); err != nil {
					t.Errorf("kill: %v", err)
				}
			})
			ps.Sched.At(30*time.Second, "look", func() {
				if got := outcome(p); got != tt.want {
					t.Errorf("%s: %s, want %s\n%s", SignalName(tt.sig), got, tt.want, ps.Trace.Text())
				}
			})
			drain(ps)
		})
	}
}

func nsOf(p *Proc, ps *Procs) *PidNS {
	if p == nil {
		return ps.Root()
	}
	return p.NS()
}

// TestStoppedProcess: while stopped, only SIGKILL acts at once; other
// signals, terminating ones included, wait for SIGCONT, which continues
// even a process that ignores it; a handler's cleanup pauses.
func TestStoppedProcess(t *testing.T) {
	usr1 := syscall.SIGUSR1
	type send struct {
		at  time.Duration
		sig syscall.Signal
	}
	tests := []struct {
		name     string
		b        Behaviour
		sends    []send
		want     string
		exitedAt time.Duration
	}{
		{"SIGTERM waits while stopped", Behaviour{}, []send{{1, syscall.SIGSTOP}, {2, syscall.SIGTERM}}, "stopped", 0},
		{"SIGTERM acts on SIGCONT", Behaviour{}, []send{{1, syscall.SIGSTOP}, {2, syscall.SIGTERM}, {4, syscall.SIGCONT}}, "killed by SIGTERM", 4},
		{"SIGQUIT waits for SIGCONT", Behaviour{}, []send{{1, syscall.SIGSTOP}, {2, syscall.SIGQUIT}, {5, syscall.SIGCONT}}, "killed by SIGQUIT", 5},
		{"SIGQUIT pending while stopped", Behaviour{}, []send{{1, syscall.SIGSTOP}, {2, syscall.SIGQUIT}}, "stopped", 0},
		{"a handled signal waits", Behaviour{Handle: []syscall.Signal{usr1}}, []send{{1, syscall.SIGSTOP}, {2, usr1}}, "stopped", 0},
		{"a handled signal runs on SIGCONT", Behaviour{Handle: []syscall.Signal{usr1}}, []send{{1, syscall.SIGSTOP}, {2, usr1}, {3, syscall.SIGCONT}}, "caught SIGUSR1", 0},
		{"SIGCONT continues despite SIG_IGN", Behaviour{Ignore: []syscall.Signal{syscall.SIGCONT}}, []send{{1, syscall.SIGSTOP}, {2, syscall.SIGCONT}}, "running", 0},
		{"SIGKILL kills a stopped process", Behaviour{}, []send{{1, syscall.SIGSTOP}, {2, syscall.SIGKILL}}, "killed by SIGKILL", 2},
		{"cleanup pauses while stopped", Behaviour{OnStop: Handle, Cleanup: 3}, []send{{1, syscall.SIGTERM}, {2, syscall.SIGSTOP}, {10, syscall.SIGCONT}}, "exited 0", 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := newProcs()
			tt.b.Cleanup *= time.Second
			p := ps.Spawn("p", tt.b)
			for _, s := range tt.sends {
				ps.Sched.At(s.at*time.Second, "send", func() { _ = ps.Kill("t", p, s.sig) })
			}
			drain(ps)
			if got := outcome(p); got != tt.want || (p.Exited && p.ExitedAt != tt.exitedAt*time.Second) {
				t.Fatalf("%s at %s, want %s at %s\n%s", got, p.ExitedAt, tt.want, tt.exitedAt*time.Second, ps.Trace.Text())
			}
		})
	}
}

// TestJobControl: SIGTSTP, SIGTTIN and SIGTTOU stop a job whose group has
// a parent in another group of the session (a shell), not once the shell
// is gone (the group is orphaned); SIGSTOP stops either.
func TestJobControl(t *testing.T) {
	for _, tt := range []struct {
		name      string
		sig       syscall.Signal
		shellGone bool
		want      string
	}{
		{"SIGTSTP stops a job", syscall.SIGTSTP, false, "stopped"},
		{"SIGTTIN stops a job", syscall.SIGTTIN, false, "stopped"},
		{"SIGTSTP to an orphaned job", syscall.SIGTSTP, true, "running"},
		{"SIGSTOP to an orphaned job", syscall.SIGSTOP, true, "stopped"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ps := newProcs()
			shell := ps.Spawn("shell", Behaviour{})
			job, _ := ps.Fork(shell, "job", Behaviour{})
			if err := ps.Setpgid(job, 0); err != nil {
				t.Fatal(err)
			}
			if tt.shellGone {
				ps.exit(shell, 0, 0)
			}
			_ = ps.KillPID(nil, -job.PID, tt.sig)
			drain(ps)
			if got := outcome(job); got != tt.want {
				t.Fatalf("%s, want %s\n%s", got, tt.want, ps.Trace.Text())
			}
		})
	}
}
