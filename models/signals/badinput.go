package signals

import (
	"strings"

	"github.com/faultsim/faultsim/models"
)

// badInputs are malformed scenario files of the model (Model.BadInputs).
func badInputs() []models.BadInput {
	const head = "name: x\nmodel: signals\nvariant: reference\n"
	const ctrs = "containers:\n  - {name: db, grace: 30s, cleanup: 5s}\n"
	const stop = "steps:\n  - {at: 1s, op: node-shutdown}\nexpect: pass\n"
	bad := models.Bad
	return []models.BadInput{
		bad("missing containers", head+stop, ":1: containers: missing"),
		bad("empty containers", head+"containers: []\n"+stop, ":4: containers: expected a non-empty list"),
		bad("container without name", head+"containers:\n  - {grace: 30s}\n"+stop, `:5: containers[0].name: missing`),
		bad("duplicate container", head+"containers:\n  - {name: db}\n  - {name: db}\n"+stop, `:6: containers[1].name: "db" given twice`),
		bad("fractional grace", head+"containers:\n  - {name: db, grace: 1.5s}\n"+stop, "containers[0].grace: 1.5s: expected whole seconds"),
		bad("negative grace", head+"containers:\n  - {name: db, grace: -30s}\n"+stop, "containers[0].grace: -30s is negative"),
		bad("huge cleanup", head+"containers:\n  - {name: db, cleanup: 100000h}\n"+stop, "containers[0].cleanup: 100000h is too far"),
		bad("bad stop signal", head+"containers:\n  - {name: db, stop_signal: SIGFOO}\n"+stop, `containers[0].stop_signal: "SIGFOO": expected a signal`),
		bad("unknown container field", head+"containers:\n  - {name: db, memory: 1Gi}\n"+stop, `containers[0]: unknown field "memory"`),
		bad("bad host_pid", head+"containers:\n  - {name: db, host_pid: yes please}\n"+stop, `containers[0].host_pid: "yes please": expected true or false`),
		bad("children not a list", head+"containers:\n  - {name: db, children: 2}\n"+stop, "containers[0].children: expected a list of children"),
		bad("bad child on_stop", head+"containers:\n  - {name: db, children: [{on_stop: flee}]}\n"+stop, `containers[0].children[0].on_stop: "flee": expected terminate, handle or ignore`),
		bad("unknown child field", head+"containers:\n  - {name: db, children: [{name: x}]}\n"+stop, `containers[0].children[0]: unknown field "name"`),
		bad("respawn too fast", head+"containers:\n  - {name: db, children: [{respawn: 1ms}]}\n"+stop, "containers[0].children[0].respawn: 1ms: expected 0s (none) or at least 100ms"),
		bad("host pid and a namespace of its own", head+"containers:\n  - {name: db, host_pid: true}\nfaults:\n  - {fault: pid-namespace-init, container: db}\n"+stop, `faults[0].container: "db" has host_pid: true`),
		bad("bad systemd version", head+"node: {systemd: 9000}\n"+ctrs+stop, `:4: node.systemd: "9000": expected a systemd version`),
		bad("systemd version moved to the node", head+"options: {systemd_version: 252}\n"+ctrs+stop, `:4: options: unknown field "systemd_version"`),
		bad("bad shutdown grace", head+"options: {shutdown_grace_period: soon}\n"+ctrs+stop, `options.shutdown_grace_period: "soon": expected a duration`),
		bad("step on unknown container", head+ctrs+"steps:\n  - {at: 1s, op: stop-container, container: web, timeout: 1s}\nexpect: pass\n", `:7: steps[0].container: "web": expected one of the containers (db)`),
		bad("stop without timeout", head+ctrs+"steps:\n  - {at: 1s, op: stop-container, container: db}\nexpect: pass\n", "steps[0].timeout: missing"),
		bad("delete with timeout", head+ctrs+"steps:\n  - {op: delete-pod, container: db, timeout: 1s}\nexpect: pass\n", "delete-pod uses the pod's grace period"),
		bad("shutdown with container", head+ctrs+"steps:\n  - {op: node-shutdown, container: db}\nexpect: pass\n", "node-shutdown takes only at"),
		bad("unknown op", head+ctrs+"steps:\n  - {op: reboot}\nexpect: pass\n", `steps[0].op: unknown operation "reboot": expected one of stop-container, delete-pod, node-shutdown`),
		bad("steps not a list", head+ctrs+"steps: {op: node-shutdown}\nexpect: pass\n", "steps: expected a list of steps"),
		bad("fault of another model", head+ctrs+"faults:\n  - {fault: tool-missing, tool: nft}\n"+stop, "faults[0].fault: tool-missing is not consumed by any component of this model"),
		bad("exec children on a stop", head+ctrs+"steps:\n  - {at: 1s, op: stop-container, container: db, timeout: 1s, children: [{}]}\nexpect: pass\n", ":7: steps[0].children: stop-container runs no command: expected no children"),
		bad("exec children not a list", head+ctrs+"steps:\n  - {at: 1s, op: exec-sync, container: db, runs: 1s, children: 1}\nexpect: pass\n", ":7: steps[0].children: expected a list of children"),
		bad("three exec children", head+ctrs+"steps:\n  - {at: 1s, op: exec-sync, container: db, runs: 1s, children: [{}, {}, {}]}\nexpect: pass\n", "steps[0].children: 3 children: expected at most 2"),
		bad("exec child respawns", head+ctrs+"steps:\n  - {at: 1s, op: exec-sync, container: db, runs: 1s, children: [{respawn: 1s}]}\nexpect: pass\n", `steps[0].children[0]: unknown field "respawn"`),
		bad("tool the runtime does not run", head+ctrs+"faults:\n  - {fault: tool-fails, tool: nft}\n"+stop, "faults[0].tool: tool-fails: no component of this model runs nft"),
		bad("fault on unknown container", head+ctrs+"faults:\n  - {fault: slow-exit, container: web, after: 1s}\n"+stop, `faults[0].container: "web": expected one of the containers`),
		bad("pid reuse at 0", head+ctrs+"faults:\n  - {fault: pid-reuse, container: db, at: 0s}\n"+stop, ":7: faults[0]: at: 0s: expected a time after 0"),
		bad("fault parameter out of range", head+ctrs+"faults:\n  - {fault: signal-drop, nth: 0}\n"+stop, "fault signal-drop: parameter nth"),
		bad("invariant of another model", head+ctrs+"steps: []\nexpect: {violation: delete-leaves-nothing}\n", `expect.violation: "delete-leaves-nothing": expected one of`),
		bad("deep nesting", head+ctrs+"steps: "+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+"\nexpect: pass\n", "bad.yaml"),
		bad("ten megabytes", head+ctrs+"description: "+strings.Repeat("x", 10<<20)+"\n"+stop, "expected at most"),
	}
}
