package scenarios

import (
	"strings"
	"testing"
)

// TestSignalsBadInput: malformed signals scenarios each give one error
// naming the file, the line and the field, and what was expected.
func TestSignalsBadInput(t *testing.T) {
	const head = "name: x\nmodel: signals\nvariant: reference\n"
	const ctrs = "containers:\n  - {name: db, grace: 30s, cleanup: 5s}\n"
	const stop = "steps:\n  - {at: 1s, op: node-shutdown}\nexpect: pass\n"
	tests := []struct {
		name, text, want string
	}{
		{"missing containers", head + stop, ":1: containers: missing"},
		{"empty containers", head + "containers: []\n" + stop, ":4: containers: expected a non-empty list"},
		{"container without name", head + "containers:\n  - {grace: 30s}\n" + stop, `:5: containers[0].name: missing`},
		{"duplicate container", head + "containers:\n  - {name: db}\n  - {name: db}\n" + stop, `:6: containers[1].name: "db" given twice`},
		{"fractional grace", head + "containers:\n  - {name: db, grace: 1.5s}\n" + stop, "containers[0].grace: 1.5s: expected whole seconds"},
		{"negative grace", head + "containers:\n  - {name: db, grace: -30s}\n" + stop, "containers[0].grace: -30s is negative"},
		{"huge cleanup", head + "containers:\n  - {name: db, cleanup: 100000h}\n" + stop, "containers[0].cleanup: 100000h is too far"},
		{"bad stop signal", head + "containers:\n  - {name: db, stop_signal: SIGFOO}\n" + stop, `containers[0].stop_signal: "SIGFOO": expected a signal`},
		{"unknown container field", head + "containers:\n  - {name: db, memory: 1Gi}\n" + stop, `containers[0]: unknown field "memory"`},
		{"bad systemd version", head + "options: {systemd_version: 9000}\n" + ctrs + stop, `:4: options.systemd_version: "9000": expected systemd's version number`},
		{"bad shutdown grace", head + "options: {shutdown_grace_period: soon}\n" + ctrs + stop, `options.shutdown_grace_period: "soon": expected a duration`},
		{"step on unknown container", head + ctrs + "steps:\n  - {at: 1s, op: stop-container, container: web, timeout: 1s}\nexpect: pass\n", `:7: steps[0].container: "web": expected one of the containers (db)`},
		{"stop without timeout", head + ctrs + "steps:\n  - {at: 1s, op: stop-container, container: db}\nexpect: pass\n", "steps[0].timeout: missing"},
		{"delete with timeout", head + ctrs + "steps:\n  - {op: delete-pod, container: db, timeout: 1s}\nexpect: pass\n", "delete-pod uses the pod's grace period"},
		{"shutdown with container", head + ctrs + "steps:\n  - {op: node-shutdown, container: db}\nexpect: pass\n", "node-shutdown takes only at"},
		{"unknown op", head + ctrs + "steps:\n  - {op: reboot}\nexpect: pass\n", `steps[0].op: unknown operation "reboot": expected one of stop-container, delete-pod, node-shutdown`},
		{"steps not a list", head + ctrs + "steps: {op: node-shutdown}\nexpect: pass\n", "steps: expected a list of steps"},
		{"fault of another model", head + ctrs + "faults:\n  - {fault: tool-missing, tool: nft}\n" + stop, "faults[0].fault: tool-missing does not apply to this model"},
		{"fault on unknown container", head + ctrs + "faults:\n  - {fault: slow-exit, container: web, after: 1s}\n" + stop, `faults[0].container: "web": expected one of the containers`},
		{"fault parameter out of range", head + ctrs + "faults:\n  - {fault: signal-drop, nth: 0}\n" + stop, "fault signal-drop: parameter nth"},
		{"invariant of another model", head + ctrs + "steps: []\nexpect: {violation: delete-leaves-nothing}\n", `expect.violation: "delete-leaves-nothing": expected one of`},
		{"deep nesting", head + ctrs + "steps: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\nexpect: pass\n", "bad.yaml"},
		{"ten megabytes", head + ctrs + "description: " + strings.Repeat("x", 10<<20) + "\n" + stop, "expected at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.text))
			if err == nil {
				t.Fatalf("parsed without error, want %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), "bad.yaml") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %q, want it to start with the file and contain %q", err, tt.want)
			}
		})
	}
}
