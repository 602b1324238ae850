package signals_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestRuntimeFailsReference: the OCI runtime failing to run, once to
// always (999), on each stop path. The reference CRI server is CRI-O's:
// the failed stop signal is not sent again, SIGKILL from the deadline on
// with back-off, a failed one retried. Where crun was to send the stop
// signal (a pod deletion, racing stops, kubelet's graceful node
// shutdown) the process's first signal is then
// SIGKILL: the known finding
// (finding-signals-failed-stop-signal-kill-means-sigkill.yaml), and the
// only violation; elsewhere it passes: the stops return once the process
// is gone, and once the faults are lifted the node converges.
func TestRuntimeFailsReference(t *testing.T) {
	steps := map[string]string{
		"delete-pod":             "{at: 10s, op: delete-pod, container: db}",
		"stop-timeout-0":         "{at: 10s, op: stop-container, container: db, timeout: 0s}",
		"stops-racing":           "{at: 10s, op: stop-container, container: db, timeout: 20s}, {at: 12s, op: delete-pod, container: db}",
		"graceful-node-shutdown": "{at: 10s, op: node-shutdown}",
	}
	// With every invocation failing, the node's shutdown transaction
	// stops the scope with its KillSignal before a SIGKILL gets through.
	want := func(name string, times int) string {
		if name == "delete-pod" || name == "stops-racing" || (name == "graceful-node-shutdown" && times < 999) {
			return "stop-signal-first"
		}
		return ""
	}
	for _, name := range []string{"delete-pod", "stop-timeout-0", "stops-racing", "graceful-node-shutdown"} {
		for _, times := range []int{1, 2, 3, 5, 999} {
			for _, fault := range []string{"", "{fault: ignores-stop-signal, container: db}"} {
				t.Run(fmt.Sprintf("%s/times-%d/%t", name, times, fault != ""), func(t *testing.T) {
					data := fmt.Appendf(nil, `name: runtime-fails
model: signals
variant: reference
seed: 1
options: {shutdown_grace_period: 40s}
faults: [{fault: tool-fails, tool: crun, times: %d}, %s]
containers:
  - {name: db, grace: 30s, cleanup: 5s}
steps: [%s]
expect: pass
`, times, fault, steps[name])
					names, vs := violations(t, "runtime-fails.yaml", data)
					if got := strings.Join(names, ", "); got != want(name, times) {
						t.Errorf("got violations %q, want %q: %v", got, want(name, times), vs)
					}
				})
			}
		}
	}
}
