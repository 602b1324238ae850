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
// killed. A SIGKILL the node loses (conmon sends one) leaves the command
// running to its own end: conmon did its part.
func TestExecSync(t *testing.T) {
	for _, tt := range []struct {
		name, faults, steps, want string
	}{
		{"times-out", "", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s}", "pass"},
		{"no-timeout-long-command", "", "{at: 1s, op: exec-sync, container: db, timeout: 0s, runs: 10m}", "pass"},
		{"ends-first", "", "{at: 1s, op: exec-sync, container: db, timeout: 5s, runs: 1s}", "pass"},
		{"no-timeout-then-stop", "", "{at: 1s, op: exec-sync, container: db, timeout: 0s, runs: 1m}, {at: 2s, op: delete-pod, container: db}", "pass"},
		{"racing-a-stop", "", "{at: 1s, op: exec-sync, container: db, timeout: 3s, runs: 1m}, {at: 2s, op: stop-container, container: db, timeout: 0s}", "pass"},
		{"on-a-stopped-container", "", "{at: 1s, op: stop-container, container: db, timeout: 0s}, {at: 2s, op: exec-sync, container: db, timeout: 1s, runs: 5s}", "pass"},
		{"node-shutdown", "", "{at: 1s, op: exec-sync, container: db, timeout: 0s, runs: 1m}, {at: 2s, op: node-shutdown}", "pass"},
		// conmon did its part; the node lost the SIGKILL (the command
		// runs to its own end).
		{"sigkill-lost", "{fault: signal-drop, nth: 1}", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s}", "pass"},
		{"sigkill-late", "{fault: signal-reorder, nth: 1}", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s}", "pass"},
		// A child's SIGKILL lost, and systemd's stop signal, which it
		// ignores, sent at the instant of the return: the monitor's part
		// is what it sent by the return (a campaign's finding, seed 61).
		{"sigkill-lost-then-shutdown", "{fault: signal-drop, nth: 2}", "{at: 100ms, op: exec-sync, container: db, timeout: 5s, runs: 10s, children: [{on_stop: ignore, cleanup: 3s}, {on_stop: handle, cleanup: 3s}]}, {at: 5.1s, op: node-shutdown}", "pass"},
		// What the command forked: in its group, killed with it; in a
		// session of its own, by the container's end.
		{"group-children", "", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s, children: [{}, {on_stop: ignore}]}", "pass"},
		{"setsid-child-then-stop", "", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s, children: [{own_group: true}]}, {at: 4s, op: delete-pod, container: db}", "pass"},
		{"children-of-a-command-that-ended", "", "{at: 1s, op: exec-sync, container: db, timeout: 5s, runs: 1s, children: [{}, {own_group: true}]}, {at: 4s, op: stop-container, container: db, timeout: 0s}", "pass"},
		{"group-sigkill-lost", "{fault: signal-drop, nth: 1}", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s, children: [{}]}", "pass"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := fmt.Appendf(nil, `name: exec
model: signals
variant: reference
seed: 1
faults: [%s]
containers:
  - {name: db, grace: 30s, cleanup: 1s}
steps: [%s]
expect: pass
`, tt.faults, tt.steps)
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
