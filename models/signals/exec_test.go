package signals_test

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/faultsim/faultsim/models/signals"
	"github.com/faultsim/faultsim/sim/proc"
)

// TestExecSync: ExecSync through conmon on the reference. A command past
// its timeout is SIGKILLed and the call answers at the timeout; one that
// ends first answers its own exit code; a stopped container's commands are
// killed. A SIGKILL the node holds back past the check (conmon sends one)
// leaves the command running a while: conmon did its part; a signal-drop
// fault cannot lose it.
func TestExecSync(t *testing.T) {
	for _, tt := range []struct {
		name, faults, steps, want string
		seed                      int
	}{
		{"times-out", "", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s}", "pass", 1},
		{"no-timeout-long-command", "", "{at: 1s, op: exec-sync, container: db, timeout: 0s, runs: 10m}", "pass", 1},
		{"ends-first", "", "{at: 1s, op: exec-sync, container: db, timeout: 5s, runs: 1s}", "pass", 1},
		{"no-timeout-then-stop", "", "{at: 1s, op: exec-sync, container: db, timeout: 0s, runs: 1m}, {at: 2s, op: delete-pod, container: db}", "pass", 1},
		{"racing-a-stop", "", "{at: 1s, op: exec-sync, container: db, timeout: 3s, runs: 1m}, {at: 2s, op: stop-container, container: db, timeout: 0s}", "pass", 1},
		{"on-a-stopped-container", "", "{at: 1s, op: stop-container, container: db, timeout: 0s}, {at: 2s, op: exec-sync, container: db, timeout: 1s, runs: 5s}", "pass", 1},
		{"node-shutdown", "", "{at: 1s, op: exec-sync, container: db, timeout: 0s, runs: 1m}, {at: 2s, op: node-shutdown}", "pass", 1},
		// A signal-drop fault on conmon's SIGKILL: the kernel cannot lose
		// it, the command dies.
		{"sigkill-drop-spared", "{fault: signal-drop, nth: 1}", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s}", "pass", 1},
		{"sigkill-late", "{fault: signal-reorder, nth: 1}", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s}", "pass", 1},
		// A child's SIGKILL held back past the check, and systemd's stop
		// signal, which it ignores, sent at the instant of the return: the
		// monitor's part is what it sent by the return (a campaign's
		// finding, seed 61, then with a SIGKILL lost).
		// (Seed 101 runs the check before the late SIGKILL arrives.)
		{"sigkill-late-then-shutdown", "{fault: signal-delay, nth: 2, delay: 500ms}", "{at: 100ms, op: exec-sync, container: db, timeout: 5s, runs: 10s, children: [{on_stop: ignore, cleanup: 3s}, {on_stop: handle, cleanup: 3s}]}, {at: 5.1s, op: node-shutdown}", "pass", 101},
		// What the command forked: in its group, killed with it; in a
		// session of its own, by the container's end.
		{"group-children", "", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s, children: [{}, {on_stop: ignore}]}", "pass", 1},
		{"setsid-child-then-stop", "", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s, children: [{own_group: true}]}, {at: 4s, op: delete-pod, container: db}", "pass", 1},
		{"children-of-a-command-that-ended", "", "{at: 1s, op: exec-sync, container: db, timeout: 5s, runs: 1s, children: [{}, {own_group: true}]}, {at: 4s, op: stop-container, container: db, timeout: 0s}", "pass", 1},
		{"group-sigkill-late", "{fault: signal-delay, nth: 1, delay: 500ms}", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s, children: [{}]}", "pass", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := fmt.Appendf(nil, `name: exec
model: signals
variant: reference
seed: %d
faults: [%s]
containers:
  - {name: db, grace: 30s, cleanup: 1s}
steps: [%s]
expect: pass
`, tt.seed, tt.faults, tt.steps)
			if got, vs := firstViolation(t, "exec.yaml", data); got != tt.want {
				t.Errorf("got %s, want %s: %v", got, tt.want, vs)
			}
		})
	}
}

// execMonitor writes the exit file as conmon does but does its own thing
// to a timed-out command: sends it sig (0: nothing).
type execMonitor struct{ sig syscall.Signal }

func (execMonitor) ProcessExited(_ string, status int) (int, bool) { return status, true }

func (m execMonitor) ExecTimedOut(env *signals.Env, monitor string, p *proc.Proc) {
	if m.sig != 0 {
		_ = env.Procs.Kill(monitor, p, m.sig)
	}
}

// TestExecKillerMistakes: a monitor that leaves a timed-out command
// running breaks exec-sync-in-time; one that kills it, with SIGKILL or a
// signal whose default action ends it, keeps it, unless the command forked
// in its process group: then killing the command's pid alone leaves the
// child running. A child that called setsid is not conmon's to kill.
func TestExecKillerMistakes(t *testing.T) {
	for _, tt := range []struct {
		name     string
		sig      syscall.Signal
		children string
		want     string
	}{
		{"sigkill", syscall.SIGKILL, "", "pass"},
		{"sigterm", syscall.SIGTERM, "", "pass"},
		{"forgets", 0, "", "exec-sync-in-time"},
		{"sigwinch", syscall.SIGWINCH, "", "exec-sync-in-time"}, // ignored by default
		{"pid-only-group-child", syscall.SIGKILL, "{}", "exec-sync-in-time"},
		{"pid-only-two-group-children", syscall.SIGKILL, "{on_stop: ignore}, {}", "exec-sync-in-time"},
		{"pid-only-setsid-child", syscall.SIGKILL, "{own_group: true}", "pass"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			remove, err := signals.Register("exec-"+tt.name, "a monitor's exec timeout", signals.Impl{Monitor: execMonitor{sig: tt.sig}})
			if err != nil {
				t.Fatal(err)
			}
			defer remove()
			data := fmt.Appendf(nil, `name: exec
model: signals
variant: exec-%s
seed: 1
containers:
  - {name: db, grace: 30s, cleanup: 1s}
steps: [{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s, children: [%s]}]
expect: pass
`, tt.name, tt.children)
			if got, vs := firstViolation(t, "exec.yaml", data); got != tt.want {
				t.Errorf("got %s, want %s: %v", got, tt.want, vs)
			}
		})
	}
}
