package hostport

import "github.com/faultsim/faultsim/models"

// badInputs are malformed scenario files of the model (Model.BadInputs).
func badInputs() []models.BadInput {
	const head = "name: x\nmodel: hostport\nvariant: reference\n"
	const step = "steps:\n  - {at: 0s, op: run-pod-sandbox, sandbox: a, ips: [10.88.0.2]}\n"
	bad := models.Bad
	return []models.BadInput{
		bad("unknown variant", "name: x\nmodel: hostport\nvariant: crio-9\n"+step+"expect: pass\n", `:3: variant: unknown hostport variant "crio-9"`),
		bad("data fault in faults", head+"faults:\n  - {fault: host-port-zero}\n"+step+"expect: pass\n", "is a data fault"),
		bad("tool no component runs", head+"faults:\n  - {fault: tool-missing, tool: crun}\n"+step+"expect: pass\n", `:5: faults[0].tool: tool-missing: no component of this model runs crun`),
		bad("negative time", head+"steps:\n  - {at: -1s, op: stop-pod-sandbox, sandbox: a}\nexpect: pass\n", `:5: steps[0].at: -1s is negative`),
		bad("steps out of order", head+"steps:\n  - {at: 2s, op: stop-pod-sandbox, sandbox: a}\n  - {at: 1s, op: stop-pod-sandbox, sandbox: a}\nexpect: pass\n", "before the previous step"),
		bad("unknown op", head+"steps:\n  - {op: delete, sandbox: a}\nexpect: pass\n", `steps[0].op: unknown operation "delete"`),
		bad("bad pod ip", head+"steps:\n  - {op: run-pod-sandbox, sandbox: a, ips: [10.88.0.300]}\nexpect: pass\n", `steps[0].ips: "10.88.0.300"`),
		bad("container port out of range", head+"steps:\n  - {op: run-pod-sandbox, sandbox: a, ips: [10.88.0.2], ports: [{container_port: 70000}]}\nexpect: pass\n", "container_port: 70000 is out of range"),
		bad("host port not a number", head+"steps:\n  - {op: run-pod-sandbox, sandbox: a, ips: [10.88.0.2], ports: [{container_port: 80, host_port: http}]}\nexpect: pass\n", `host_port: "http": expected a whole number`),
		bad("huge host port", head+"steps:\n  - {op: run-pod-sandbox, sandbox: a, ips: [10.88.0.2], ports: [{container_port: 80, host_port: 99999999999}]}\nexpect: pass\n", "out of range"),
		bad("bad protocol", head+"steps:\n  - {op: run-pod-sandbox, sandbox: a, ips: [10.88.0.2], ports: [{protocol: ICMP, container_port: 80}]}\nexpect: pass\n", `protocol: "ICMP": expected TCP, UDP or SCTP`),
		bad("stop with ports", head+"steps:\n  - {op: stop-pod-sandbox, sandbox: a, ips: [10.88.0.2]}\nexpect: pass\n", "takes only at and sandbox"),
		bad("unknown expect", head+step+"expect: {violation: sadness}\n", `expect.violation: "sadness": expected one of`),
	}
}
