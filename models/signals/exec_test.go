package signals_test

import (
	"fmt"
	"testing"
)

// TestExecSync: ExecSync through conmon on the reference. A command past
// its timeout is SIGKILLed and the call answers at the timeout; one that
// ends first answers its own exit code; a stopped container's commands are
// killed. A SIGKILL the node loses (conmon sends one) leaves the command
// running, which exec-sync-in-time sees.
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
		{"sigkill-lost", "{fault: signal-drop, nth: 1}", "{at: 1s, op: exec-sync, container: db, timeout: 2s, runs: 10s}", "exec-sync-in-time"},
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
