package proc

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestForwardToGroup: a process whose stop handler forwards to its group
// (tini -g) reaches the children that stayed in its group, not one that
// moved to a group of its own, nor itself a second time.
func TestForwardToGroup(t *testing.T) {
	tests := []struct {
		name        string
		forward     bool
		ownGroup    bool
		wantChild   string
		wantParentN int // signals the parent got
	}{
		{"no forwarding", false, false, "running", 1},
		{"forwarded to a child in the group", true, false, "killed by SIGTERM", 1},
		{"a child in its own group is not reached", true, true, "running", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := newProcs()
			init := ps.Spawn("tini", Behaviour{OnStop: Handle, Cleanup: time.Second, NewPidNS: true, ForwardToGroup: tt.forward, Reaps: true})
			child, err := ps.Fork(init, "child", Behaviour{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.ownGroup {
				if err := ps.Setpgid(child, 0); err != nil {
					t.Fatal(err)
				}
			}
			if err := ps.Kill("node", init, syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			for ev := ps.Sched.Next(); ev != nil && ps.Sched.Now() == 0; ev = ps.Sched.Next() {
				ev.Do()
			}
			if got := outcome(child); got != tt.wantChild {
				t.Errorf("child: %s, want %s", got, tt.wantChild)
			}
			if len(init.Sent) != tt.wantParentN {
				t.Errorf("tini got %d signals, want %d: %v", len(init.Sent), tt.wantParentN, init.Sent)
			}
		})
	}
}

// TestKernelKill: the kernel's SIGKILL (cgroup.kill) is neither dropped
// nor counted by the delivery faults, which shape kill(2) only; a reaped
// process is ErrNoSuchProcess.
func TestKernelKill(t *testing.T) {
	ps := newProcs()
	ps.Faults = []Delivery{{Nth: 1, Drop: true}}
	a := ps.Spawn("a", Behaviour{})
	b := ps.Spawn("b", Behaviour{})
	if err := ps.KernelKill("cgroup.kill", a); err != nil {
		t.Fatal(err)
	}
	if err := ps.Kill("crun", b, syscall.SIGTERM); err != nil { // the 1st kill(2): dropped
		t.Fatal(err)
	}
	drain(ps)
	if got := outcome(a); got != "killed by SIGKILL" {
		t.Errorf("a: %s, want killed by SIGKILL", got)
	}
	if got := outcome(b); got != "running" {
		t.Errorf("b: %s, want running (its kill(2) was the first, dropped)", got)
	}
	if err := ps.KernelKill("cgroup.kill", a); err != ErrNoSuchProcess {
		t.Errorf("KernelKill of a reaped process: %v, want ESRCH", err)
	}
}

// TestSignalDropSparesSIGKILL: a signal-drop fault loses the signal it
// falls on, unless that is a SIGKILL, which the kernel cannot lose: it is
// delivered, not counted as held, and the trace says why.
func TestSignalDropSparesSIGKILL(t *testing.T) {
	tests := []struct {
		sig      syscall.Signal
		want     string
		wantHeld bool
		wantLine string
	}{
		{syscall.SIGTERM, "running", true, "signal SIGTERM to p dropped"},
		{syscall.SIGINT, "running", true, "signal SIGINT to p dropped"},
		{syscall.SIGKILL, "killed by SIGKILL", false, "SIGKILL to p cannot be lost, delivered"},
	}
	for _, tt := range tests {
		t.Run(SignalName(tt.sig), func(t *testing.T) {
			ps := newProcs()
			ps.Faults = []Delivery{{Nth: 1, Drop: true}}
			p := ps.Spawn("p", Behaviour{})
			if err := ps.Kill("crun", p, tt.sig); err != nil {
				t.Fatal(err)
			}
			drain(ps)
			if got := outcome(p); got != tt.want {
				t.Errorf("p: %s, want %s", got, tt.want)
			}
			if held := p.Sent[0].Held; held != tt.wantHeld {
				t.Errorf("Held = %v, want %v", held, tt.wantHeld)
			}
			if trace := ps.Trace.Text(); !strings.Contains(trace, tt.wantLine) {
				t.Errorf("trace lacks %q:\n%s", tt.wantLine, trace)
			}
		})
	}
}
