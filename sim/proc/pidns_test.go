package proc

import (
	"errors"
	"syscall"
	"testing"
)

// TestPidAllocation forks children of a namespace's init and checks the
// pids the cyclic allocator hands out: a zombie or a live group id keeps
// its number, a reaped one is reused only when the cursor comes back to it
// (ns_last_pid, or a wrap to ReservedPIDs), and a full namespace refuses.
func TestPidAllocation(t *testing.T) {
	type op struct {
		do   string // fork, exit, reap, last, setpgid
		name string
		arg  int
		want int // fork: the pid; -1 for EAGAIN
	}
	tests := []struct {
		name   string
		pidMax int
		ops    []op
	}{
		{"sequential from 2", 100, []op{{"fork", "a", 0, 2}, {"fork", "b", 0, 3}, {"fork", "c", 0, 4}}},
		{"no reuse before wrap", 100, []op{{"fork", "a", 0, 2}, {"exit", "a", 0, 0}, {"reap", "a", 0, 0}, {"fork", "b", 0, 3}}},
		{"ns_last_pid reuses a reaped pid", 100, []op{{"fork", "a", 0, 2}, {"exit", "a", 0, 0}, {"reap", "a", 0, 0}, {"last", "", 1, 0}, {"fork", "b", 0, 2}}},
		{"a zombie keeps its pid", 100, []op{{"fork", "a", 0, 2}, {"fork", "b", 0, 3}, {"exit", "a", 0, 0}, {"last", "", 1, 0}, {"fork", "c", 0, 4}}},
		{"a live group keeps its leader's pid", 100, []op{{"fork", "a", 0, 2}, {"fork", "b", 0, 3}, {"setpgid", "a", 0, 0}, {"setpgid", "b", 2, 0},
			{"exit", "a", 0, 0}, {"reap", "a", 0, 0}, {"last", "", 1, 0}, {"fork", "c", 0, 4}}},
		{"the group id is freed with its last member", 100, []op{{"fork", "a", 0, 2}, {"fork", "b", 0, 3}, {"setpgid", "a", 0, 0}, {"setpgid", "b", 2, 0},
			{"exit", "a", 0, 0}, {"reap", "a", 0, 0}, {"exit", "b", 0, 0}, {"reap", "b", 0, 0}, {"last", "", 1, 0}, {"fork", "c", 0, 2}}},
		{"wrap below RESERVED_PIDS goes back to 1", 8, []op{{"fork", "a", 0, 2}, {"exit", "a", 0, 0}, {"reap", "a", 0, 0},
			{"last", "", 6, 0}, {"fork", "b", 0, 7}, {"fork", "c", 0, 2}}},
		{"wrap past RESERVED_PIDS goes back to 300", 400, []op{{"fork", "a", 0, 2}, {"exit", "a", 0, 0}, {"reap", "a", 0, 0},
			{"last", "", 398, 0}, {"fork", "b", 0, 399}, {"fork", "c", 0, 300}}},
		{"full namespace: EAGAIN", 4, []op{{"fork", "a", 0, 2}, {"fork", "b", 0, 3}, {"fork", "c", 0, -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := newProcs()
			ps.Root().PidMax = tt.pidMax + 1000
			init := ps.Spawn("init", Behaviour{NewPidNS: true})
			init.NS().PidMax = tt.pidMax
			byName := map[string]*Proc{}
			for i, o := range tt.ops {
				p := byName[o.name]
				switch o.do {
				case "fork":
					c, err := ps.Fork(init, o.name, Behaviour{})
					got := -1
					if err == nil {
						got = c.NSPID()
					} else if !errors.Is(err, ErrNoPIDs) {
						t.Fatalf("op %d: fork: %v", i, err)
					}
					if got != o.want {
						t.Fatalf("op %d: fork %s got pid %d, want %d", i, o.name, got, o.want)
					}
					byName[o.name] = c
				case "exit":
					ps.exit(p, 0, 0)
				case "reap":
					if ok, err := ps.Wait(init, p); !ok || err != nil {
						t.Fatalf("op %d: wait %s: %v %v", i, o.name, ok, err)
					}
				case "last":
					init.NS().SetLastPID(o.arg)
				case "setpgid":
					if err := ps.Setpgid(p, o.arg); err != nil {
						t.Fatalf("op %d: setpgid: %v", i, err)
					}
				}
			}
		})
	}
}

// TestPidReuseAndPidfd: after a child is reaped and its pid reused, kill by
// the pid reaches the new process while the old pidfd answers ESRCH; a
// zombie still accepts signals (discarded) through either.
func TestPidReuseAndPidfd(t *testing.T) {
	ps := newProcs()
	init := ps.Spawn("init", Behaviour{NewPidNS: true})
	a, _ := ps.Fork(init, "a", Behaviour{})
	fd, err := ps.PidfdOpen(init, a.NSPID())
	if err != nil {
		t.Fatal(err)
	}
	ps.exit(a, 3, 0)
	if err := ps.PidfdSendSignal(init, fd, syscall.SIGTERM); err != nil || !fd.Exited() {
		t.Fatalf("pidfd of a zombie: %v, exited %v", err, fd.Exited())
	}
	if err := ps.KillPID(init, 2, syscall.SIGTERM); err != nil {
		t.Fatalf("kill of a zombie: %v", err)
	}
	if ok, err := ps.Wait(init, a); !ok || err != nil || a.Status != 3 {
		t.Fatalf("wait: %v %v status %d", ok, err, a.Status)
	}
	if _, err := ps.Wait(init, a); !errors.Is(err, ErrNoChild) {
		t.Fatalf("second wait: %v, want ECHILD", err)
	}
	if err := ps.KillPID(init, 2, syscall.SIGTERM); !errors.Is(err, ErrNoSuchProcess) {
		t.Fatalf("kill of a reaped pid: %v, want ESRCH", err)
	}
	init.NS().SetLastPID(1)
	b, _ := ps.Fork(init, "b", Behaviour{})
	if b.NSPID() != 2 {
		t.Fatalf("b got pid %d, want 2 (reused)", b.NSPID())
	}
	if err := ps.PidfdSendSignal(init, fd, syscall.SIGTERM); !errors.Is(err, ErrNoSuchProcess) {
		t.Fatalf("old pidfd after reuse: %v, want ESRCH", err)
	}
	drain(ps)
	if b.Exited {
		t.Fatal("the old pidfd's signal reached the pid's new holder")
	}
	if err := ps.KillPID(init, 2, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	drain(ps)
	if b.KilledBy != syscall.SIGTERM {
		t.Fatalf("kill by the reused pid did not reach b: %s", outcome(b))
	}
}

// TestProcessGroupsAndNamespaceInit: kill(-pgid) reaches every member and
// no one else; an empty group is ESRCH; when a namespace's init exits,
// every other process of the namespace is killed and reaped, and the
// namespace takes no new process.
func TestProcessGroupsAndNamespaceInit(t *testing.T) {
	ps := newProcs()
	init := ps.Spawn("init", Behaviour{NewPidNS: true, OnStop: Handle})
	leader, _ := ps.Fork(init, "leader", Behaviour{})
	if err := ps.Setpgid(leader, 0); err != nil {
		t.Fatal(err)
	}
	member, _ := ps.Fork(leader, "member", Behaviour{})
	other, _ := ps.Fork(init, "other", Behaviour{})
	if member.PGID() != leader.NSPID() || other.PGID() != 1 {
		t.Fatalf("groups: member %d other %d", member.PGID(), other.PGID())
	}
	if err := ps.Setpgid(other, 77); !errors.Is(err, ErrPermission) {
		t.Fatalf("setpgid to a missing group: %v", err)
	}
	if err := ps.KillPID(init, -leader.NSPID(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if err := ps.KillPID(nil, -leader.PIDIn(ps.Root()), syscall.SIGUSR1); err != nil {
		t.Fatal("the node numbers the group by its own pid of the leader:", err)
	}
	if err := ps.KillPID(init, -99, syscall.SIGUSR1); !errors.Is(err, ErrNoSuchProcess) {
		t.Fatalf("empty group: %v", err)
	}
	drain(ps)
	if !leader.Exited || !member.Exited || other.Exited {
		t.Fatalf("after kill(-pgid): leader %s member %s other %s", outcome(leader), outcome(member), outcome(other))
	}
	if member.Parent != init || !member.Zombie() {
		t.Fatalf("an orphan goes to its namespace's init and stays a zombie: parent %v", member.Parent)
	}
	_ = ps.Kill("node", init, syscall.SIGTERM)
	drain(ps)
	if !init.Reaped || !other.Reaped || other.KilledBy != syscall.SIGKILL || !member.Reaped {
		t.Fatalf("init exit: init %v, other %s reaped %v, member reaped %v", init.Reaped, outcome(other), other.Reaped, member.Reaped)
	}
	if _, err := ps.Fork(other, "late", Behaviour{}); err == nil {
		t.Fatal("forked in a dead namespace")
	}
	if len(ps.Live()) != 0 || ps.Get(init.PID) != init {
		t.Fatalf("live %d", len(ps.Live()))
	}
}

// TestSetpgidAndWaitByPID: setpgid and waitpid act on what a pid names
// now: a zombie can still change group, a reaped pid is ESRCH (setpgid) or
// ECHILD (waitpid) until another child holds it.
func TestSetpgidAndWaitByPID(t *testing.T) {
	ps := newProcs()
	init := ps.Spawn("init", Behaviour{NewPidNS: true})
	a, _ := ps.Fork(init, "a", Behaviour{})
	ps.exit(a, 0, 0)
	if err := ps.Setpgid(a, 0); err != nil || a.PGID() != 2 {
		t.Fatalf("setpgid of a zombie: %v, group %d", err, a.PGID())
	}
	if c, ok, err := ps.WaitPID(init, 2); c != a || !ok || err != nil {
		t.Fatalf("waitpid(2): %v %v %v", c, ok, err)
	}
	if err := ps.Setpgid(init.NS().Lookup(2), 0); !errors.Is(err, ErrNoSuchProcess) {
		t.Fatalf("setpgid of a reaped pid: %v", err)
	}
	if _, _, err := ps.WaitPID(init, 2); !errors.Is(err, ErrNoChild) {
		t.Fatalf("waitpid of a reaped pid: %v", err)
	}
	init.NS().SetLastPID(1)
	b, _ := ps.Fork(init, "b", Behaviour{})
	if c, ok, err := ps.WaitPID(init, 2); c != b || ok || err != nil {
		t.Fatalf("waitpid(2) after reuse: %v %v %v, want b still running", c, ok, err)
	}
}

// TestReapingParents: a child of a parent that reaps is gone at its exit;
// of one that does not, a zombie; an orphan goes to its namespace's init.
func TestReapingParents(t *testing.T) {
	for _, tt := range []struct {
		name        string
		parentReaps bool
		initReaps   bool
		parentExits bool
		want        string
	}{
		{"parent reaps", true, false, false, "reaped"},
		{"parent does not reap", false, false, false, "zombie"},
		{"orphan, init does not reap", false, false, true, "zombie"},
		{"orphan, init reaps", false, true, true, "reaped"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ps := newProcs()
			init := ps.Spawn("init", Behaviour{NewPidNS: true, Reaps: tt.initReaps})
			parent, _ := ps.Fork(init, "parent", Behaviour{Reaps: tt.parentReaps})
			child, _ := ps.Fork(parent, "child", Behaviour{})
			ps.exit(child, 0, 0)
			if tt.parentExits {
				ps.exit(parent, 0, 0)
			}
			got := map[bool]string{true: "reaped", false: "zombie"}[child.Reaped]
			if got != tt.want || (tt.parentExits && child.Parent != init) {
				t.Fatalf("child %s (parent %v), want %s", got, child.Parent, tt.want)
			}
		})
	}
}
