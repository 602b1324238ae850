package cgroups

import (
	"strings"

	"github.com/faultsim/faultsim/models"
)

// badInputs are malformed scenario files of the model (Model.BadInputs).
func badInputs() []models.BadInput {
	const head = "name: x\nmodel: cgroups\nvariant: reference\n"
	const run = "steps:\n  - {op: run-pod-sandbox, sandbox: pod1, resources: {memory: 268435456}}\n"
	bad := models.Bad
	return []models.BadInput{
		bad("unknown distro", head+"node: {distro: centos-5}\n"+run+"expect: pass\n", `:4: node.distro: unknown distro "centos-5": expected one of`),
		bad("profile is now distro", head+"node: {profile: al2-like}\n"+run+"expect: pass\n", `:4: node: unknown field "profile"`),
		bad("unknown node field", head+"node: {cpus: 4}\n"+run+"expect: pass\n", `:4: node: unknown field "cpus"`),
		bad("bad driver", head+"config: {driver: openrc}\n"+run+"expect: pass\n", `config.driver: "openrc": expected systemd or cgroupfs`),
		bad("bad hypervisor", head+"config: {hypervisor: xen}\n"+run+"expect: pass\n", `config.hypervisor: "xen"`),
		bad("bad bool", head+"config: {sandbox_cgroup_only: maybe}\n"+run+"expect: pass\n", "expected true or false"),
		bad("run without resources", head+"steps:\n  - {op: run-pod-sandbox, sandbox: pod1}\nexpect: pass\n", "steps[0].resources: missing"),
		bad("stop with a container", head+"steps:\n  - {op: stop-pod-sandbox, sandbox: pod1, container: c1}\nexpect: pass\n", "stop-pod-sandbox does not take container"),
		bad("create without container", head+"steps:\n  - {op: create-container, sandbox: pod1}\nexpect: pass\n", "container: missing"),
		bad("bad cpus", head+"steps:\n  - {op: create-container, sandbox: pod1, container: c1, cpus: all}\nexpect: pass\n", `steps[0].cpus: "all": expected a CPU list`),
		bad("negative memory", head+"steps:\n  - {op: run-pod-sandbox, sandbox: pod1, resources: {memory: -1}}\nexpect: pass\n", "resources.memory"),
		bad("unknown resource", head+"steps:\n  - {op: run-pod-sandbox, sandbox: pod1, resources: {swap: 1}}\nexpect: pass\n", `unknown field "swap"`),
		bad("unknown op", head+"steps:\n  - {op: pause, sandbox: pod1}\nexpect: pass\n", `unknown operation "pause"`),
		bad("bad mode fault", head+"faults:\n  - {fault: cgroup-mode, mode: v3}\n"+run+"expect: pass\n", "expected one of v1, hybrid, v2"),
		bad("hostport field", head+"options: {disable_hostport_mapping: true}\n"+run+"expect: pass\n", `unknown field "options"`),
		bad("unknown invariant", head+run+"expect: {violation: forwarding-matches-live-mappings}\n", "expect.violation"),
		bad("sandbox with a slash", head+"steps:\n  - {op: run-pod-sandbox, sandbox: a/b, resources: {memory: 1}}\nexpect: pass\n", `:5: steps[0].sandbox: "a/b": expected a sandbox ID as containerd accepts one`),
		bad("sandbox dot", head+"steps:\n  - {op: run-pod-sandbox, sandbox: ., resources: {memory: 1}}\nexpect: pass\n", `:5: steps[0].sandbox: ".": expected a sandbox ID`),
		bad("sandbox dot dot", head+"steps:\n  - {op: stop-pod-sandbox, sandbox: ..}\nexpect: pass\n", `:5: steps[0].sandbox: "..": expected a sandbox ID`),
		bad("sandbox with NUL", head+"steps:\n  - {op: stop-pod-sandbox, sandbox: \"a\\0b\"}\nexpect: pass\n", `:5: steps[0].sandbox: "a\x00b": expected a sandbox ID`),
		bad("sandbox too long", head+"steps:\n  - {op: stop-pod-sandbox, sandbox: "+strings.Repeat("a", 77)+"}\nexpect: pass\n", `:5: steps[0].sandbox: "aaaa`),
		bad("fault on sandbox dot dot", head+"faults:\n  - {fault: cgroup-exists, sandbox: ../x}\n"+run+"expect: pass\n", `:5: faults[0].sandbox: "../x": expected a sandbox ID`),
		bad("cpu not online", head+"steps:\n  - {op: create-container, sandbox: p, container: c, cpus: \"2-4\"}\nexpect: pass\n", `:5: steps[0].cpus: "2-4": CPU 4 is not online on node fedora-42: expected CPUs 0 to 3`),
		bad("quota below 1 ms", head+"steps:\n  - {op: run-pod-sandbox, sandbox: p, resources: {cpu_quota: 999}}\nexpect: pass\n", `:5: steps[0].resources.cpu_quota: "999": expected 0 (unset) or a number from 1000 to 1099511627776`),
		bad("cpu number of int64", head+"steps:\n  - {at: 0s, op: run-pod-sandbox, sandbox: p, resources: {cpus: \"9223372036854775807\"}}\nexpect: pass\n", `:5: steps[0].resources.cpus: "9223372036854775807": 9223372036854775807 is above 8191, the largest CPU number Linux allows`),
		bad("cpu range to int64", head+"steps:\n  - {op: create-container, sandbox: p, container: c, cpus: 0-9223372036854775807}\nexpect: pass\n", `:5: steps[0].cpus: "0-9223372036854775807": 9223372036854775807 is above 8191`),
		bad("cpu range of 30001", head+"steps:\n  - {op: create-container, sandbox: p, container: c, cpus: 0-30000}\nexpect: pass\n", `:5: steps[0].cpus: "0-30000": 30000 is above 8191`),
		bad("cpu beyond uint64", head+"steps:\n  - {op: create-container, sandbox: p, container: c, cpus: 0-99999999999999999999999}\nexpect: pass\n", "is above 8191"),
		bad("cpu one past the limit", head+"steps:\n  - {op: create-container, sandbox: p, container: c, cpus: 0-8192}\nexpect: pass\n", "8192 is above 8191"),
		bad("signed cpu", head+"steps:\n  - {op: create-container, sandbox: p, container: c, cpus: \"+3\"}\nexpect: pass\n", `"+3": expected a CPU list`),
	}
}
