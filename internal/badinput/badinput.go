// Package badinput holds malformed inputs, each with the error it must
// give: scenario files (Cases: the scenarios package's tests parse them,
// faultsim's run them through the CLI, exit 2 and one error naming the
// file, line and field), special files (Files) and campaign states
// (States: campaign's tests load and merge them, faultsim's resume and
// merge them).
package badinput

import "strings"

// maxFileSize is scenarios.MaxFileSize, the largest file a scenario may be.
const maxFileSize = 1 << 20

// Case is one malformed scenario file.
type Case struct {
	// Model is the model the file is for ("" for the common fields).
	Model string
	// Name says what is wrong with it.
	Name string
	// Text is the file's content.
	Text string
	// Want is part of the error it must give, after the file's name:
	// ":LINE: field: ..." where a line applies, "file ..." where the whole
	// file is wrong.
	Want string
}

// Cases returns every malformed file, the common fields' first.
func Cases() []Case {
	var out []Case
	for _, set := range []struct {
		model string
		cases func() []struct{ name, text, want string }
	}{{"", common}, {"signals", signals}, {"annotations", annotations}, {"cgroups", cgroups}} {
		for _, c := range set.cases() {
			out = append(out, Case{Model: set.model, Name: c.name, Text: c.text, Want: c.want})
		}
	}
	return out
}

// common are malformed files of the fields every model shares, and of hostport.
func common() []struct{ name, text, want string } {
	const head = "name: x\nmodel: hostport\nvariant: reference\n"
	const step = "steps:\n  - {at: 0s, op: run-pod-sandbox, sandbox: a, ips: [10.88.0.2]}\n"
	return []struct{ name, text, want string }{
		{"empty file", "", "file is empty"},
		{"not yaml", "name: [unclosed\n", "invalid YAML"},
		{"unknown top-level field", head + "colour: red\n" + step + "expect: pass\n", `:4: scenario: unknown field "colour"`},
		{"unknown model", "name: x\nmodel: kubelet\nvariant: reference\n" + step + "expect: pass\n", `:2: model: unknown model "kubelet"`},
		{"unknown variant", "name: x\nmodel: hostport\nvariant: crio-9\n" + step + "expect: pass\n", `:3: variant: unknown hostport variant "crio-9"`},
		{"missing name", "model: hostport\nvariant: reference\n" + step + "expect: pass\n", "name: missing"},
		{"unknown fault", head + "faults:\n  - {fault: cosmic-ray}\n" + step + "expect: pass\n", `:5: faults[0]: unknown fault "cosmic-ray"`},
		{"fault parameter missing", head + "faults:\n  - {fault: tool-missing}\n" + step + "expect: pass\n", `missing parameter "tool"`},
		{"data fault in faults", head + "faults:\n  - {fault: host-port-zero}\n" + step + "expect: pass\n", "is a data fault"},
		{"bad tool version", head + "node: {tools: {nft: latest}}\n" + step + "expect: pass\n", `:4: node.tools.nft: "latest": expected a version`},
		{"tool given twice", head + "node: {tools: {nft: 1.1.1, nft: 1.0.6}}\n" + step + "expect: pass\n", `:4: node.tools: tool "nft" given twice`},
		{"unknown distro", head + "node: {distro: windows-11}\n" + step + "expect: pass\n", `:4: node.distro: unknown distro "windows-11"`},
		{"tool no component runs", head + "faults:\n  - {fault: tool-missing, tool: crun}\n" + step + "expect: pass\n", `:5: faults[0].tool: tool-missing: no component of this model runs crun`},
		{"bad cgroup mode", head + "node: {cgroup: v3}\n" + step + "expect: pass\n", `:4: node.cgroup: "v3": expected v1, hybrid or v2`},
		{"bad kernel", head + "node: {kernel: new}\n" + step + "expect: pass\n", ":4: node.kernel:"},
		{"negative time", head + "steps:\n  - {at: -1s, op: stop-pod-sandbox, sandbox: a}\nexpect: pass\n", `:5: steps[0].at: -1s is negative`},
		{"steps out of order", head + "steps:\n  - {at: 2s, op: stop-pod-sandbox, sandbox: a}\n  - {at: 1s, op: stop-pod-sandbox, sandbox: a}\nexpect: pass\n", "before the previous step"},
		{"unknown op", head + "steps:\n  - {op: delete, sandbox: a}\nexpect: pass\n", `steps[0].op: unknown operation "delete"`},
		{"bad pod ip", head + "steps:\n  - {op: run-pod-sandbox, sandbox: a, ips: [10.88.0.300]}\nexpect: pass\n", `steps[0].ips: "10.88.0.300"`},
		{"container port out of range", head + "steps:\n  - {op: run-pod-sandbox, sandbox: a, ips: [10.88.0.2], ports: [{container_port: 70000}]}\nexpect: pass\n", "container_port: 70000 is out of range"},
		{"host port not a number", head + "steps:\n  - {op: run-pod-sandbox, sandbox: a, ips: [10.88.0.2], ports: [{container_port: 80, host_port: http}]}\nexpect: pass\n", `host_port: "http": expected a whole number`},
		{"huge host port", head + "steps:\n  - {op: run-pod-sandbox, sandbox: a, ips: [10.88.0.2], ports: [{container_port: 80, host_port: 99999999999}]}\nexpect: pass\n", "out of range"},
		{"bad protocol", head + "steps:\n  - {op: run-pod-sandbox, sandbox: a, ips: [10.88.0.2], ports: [{protocol: ICMP, container_port: 80}]}\nexpect: pass\n", `protocol: "ICMP": expected TCP, UDP or SCTP`},
		{"stop with ports", head + "steps:\n  - {op: stop-pod-sandbox, sandbox: a, ips: [10.88.0.2]}\nexpect: pass\n", "takes only at and sandbox"},
		{"unknown expect", head + step + "expect: {violation: sadness}\n", `expect.violation: "sadness": expected one of`},
		{"missing expect", head + step, "expect: missing"},
		{"duplicate field", head + "name: y\n" + step + "expect: pass\n", `field "name" given twice`},
		{"not utf-8", head + "description: \xff\xfe\n" + step + "expect: pass\n", ":4: byte 0xff at column 14 is not valid UTF-8: expected UTF-8 text"},
		{"too large", head + "description: " + strings.Repeat("a", maxFileSize) + "\n", "expected at most"},
		{"nesting 9000 deep", head + "steps: " + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + "\nexpect: pass\n", ":4: steps[0]: expected a mapping"},
		{"duplicate tool", head + "node:\n  tools:\n    nft: 1.1.1\n    nft: 1.0.9\n" + step + "expect: pass\n", `:7: node.tools: tool "nft" given twice`},
		{"second document", head + step + "expect: pass\n---\nname: y\n", ":7: a second YAML document: expected one scenario per file"},
		{"empty second document", head + step + "expect: pass\n---\n", "a second YAML document"},
		{"str tag", head + "node: {distro: !!str fedora-42}\n" + step + "expect: pass\n", `:4: node.distro: YAML tag !!str: expected untagged values`},
		{"custom tag", head + "steps:\n  - {at: 0s, op: run-pod-sandbox, sandbox: !foo a, ips: [10.88.0.2]}\nexpect: pass\n", `:5: steps[0].sandbox: YAML tag !foo`},
		{"tagged key", "!!str name: x\nmodel: hostport\nvariant: reference\n" + step + "expect: pass\n", `:1: name: YAML tag !!str`},
		{"tagged document", "--- !!map\n" + head + step + "expect: pass\n", `:1: scenario: YAML tag !!map`},
		{"plain name after a dash", "model: hostport\nname: - x\nvariant: reference\n" + step + "expect: pass\n", ":2: invalid YAML: block sequence entries are not allowed"},
		{"carriage return in a comment", "# found\rname: y\n" + head + step + "expect: pass\n", `:3: scenario: field "name" given twice`},
		{"bare steps", head + "steps:\nexpect: pass\n", ":4: steps: expected a list of steps ([] for none)"},
		{"257 steps", head + "steps:\n" + strings.Repeat("  - {at: 0s, op: stop-pod-sandbox, sandbox: a}\n", 257) + "expect: pass\n", ":261: steps[256]: 257 steps: expected at most 256"},
		// Names an earlier writer left plain (issue 17): YAML reads them as
		// structure or breaks the line in them; the first line's errors
		// once came without a line.
		{"name after a question mark", "name: ? x\nmodel: hostport\nvariant: reference\n" + step + "expect: pass\n", ":1: invalid YAML: mapping keys are not allowed in this context"},
		{"name after a dash on the first line", "name: - x\nmodel: hostport\nvariant: reference\n" + step + "expect: pass\n", ":1: invalid YAML: block sequence entries are not allowed in this context"},
		{"name of a lone dash", "name: -\nmodel: hostport\nvariant: reference\n" + step + "expect: pass\n", ":1: invalid YAML: block sequence entries are not allowed in this context"},
		{"carriage return in a name", "name: x\ry\nmodel: hostport\nvariant: reference\n" + step + "expect: pass\n", ":2: invalid YAML: could not find expected ':'"},
		{"next line in a name", "name: x\u0085y\nmodel: hostport\nvariant: reference\n" + step + "expect: pass\n", ":2: invalid YAML: could not find expected ':'"},
		{"line separator in a name", "name: x\u2028model: signals\nmodel: hostport\nvariant: reference\n" + step + "expect: pass\n", `:3: scenario: field "model" given twice`},
		{"paragraph separator in a description", head + "description: x\u2029y\n" + step + "expect: pass\n", ":5: invalid YAML: could not find expected ':'"},
	}
}

// signals are malformed files of the signals model.
func signals() []struct{ name, text, want string } {
	const head = "name: x\nmodel: signals\nvariant: reference\n"
	const ctrs = "containers:\n  - {name: db, grace: 30s, cleanup: 5s}\n"
	const stop = "steps:\n  - {at: 1s, op: node-shutdown}\nexpect: pass\n"
	return []struct{ name, text, want string }{
		{"missing containers", head + stop, ":1: containers: missing"},
		{"empty containers", head + "containers: []\n" + stop, ":4: containers: expected a non-empty list"},
		{"container without name", head + "containers:\n  - {grace: 30s}\n" + stop, `:5: containers[0].name: missing`},
		{"duplicate container", head + "containers:\n  - {name: db}\n  - {name: db}\n" + stop, `:6: containers[1].name: "db" given twice`},
		{"fractional grace", head + "containers:\n  - {name: db, grace: 1.5s}\n" + stop, "containers[0].grace: 1.5s: expected whole seconds"},
		{"negative grace", head + "containers:\n  - {name: db, grace: -30s}\n" + stop, "containers[0].grace: -30s is negative"},
		{"huge cleanup", head + "containers:\n  - {name: db, cleanup: 100000h}\n" + stop, "containers[0].cleanup: 100000h is too far"},
		{"bad stop signal", head + "containers:\n  - {name: db, stop_signal: SIGFOO}\n" + stop, `containers[0].stop_signal: "SIGFOO": expected a signal`},
		{"unknown container field", head + "containers:\n  - {name: db, memory: 1Gi}\n" + stop, `containers[0]: unknown field "memory"`},
		{"bad systemd version", head + "node: {systemd: 9000}\n" + ctrs + stop, `:4: node.systemd: "9000": expected a systemd version`},
		{"systemd version moved to the node", head + "options: {systemd_version: 252}\n" + ctrs + stop, `:4: options: unknown field "systemd_version"`},
		{"bad shutdown grace", head + "options: {shutdown_grace_period: soon}\n" + ctrs + stop, `options.shutdown_grace_period: "soon": expected a duration`},
		{"step on unknown container", head + ctrs + "steps:\n  - {at: 1s, op: stop-container, container: web, timeout: 1s}\nexpect: pass\n", `:7: steps[0].container: "web": expected one of the containers (db)`},
		{"stop without timeout", head + ctrs + "steps:\n  - {at: 1s, op: stop-container, container: db}\nexpect: pass\n", "steps[0].timeout: missing"},
		{"delete with timeout", head + ctrs + "steps:\n  - {op: delete-pod, container: db, timeout: 1s}\nexpect: pass\n", "delete-pod uses the pod's grace period"},
		{"shutdown with container", head + ctrs + "steps:\n  - {op: node-shutdown, container: db}\nexpect: pass\n", "node-shutdown takes only at"},
		{"unknown op", head + ctrs + "steps:\n  - {op: reboot}\nexpect: pass\n", `steps[0].op: unknown operation "reboot": expected one of stop-container, delete-pod, node-shutdown`},
		{"steps not a list", head + ctrs + "steps: {op: node-shutdown}\nexpect: pass\n", "steps: expected a list of steps"},
		{"fault of another model", head + ctrs + "faults:\n  - {fault: tool-missing, tool: nft}\n" + stop, "faults[0].fault: tool-missing is not consumed by any component of this model"},
		{"tool the runtime does not run", head + ctrs + "faults:\n  - {fault: tool-fails, tool: nft}\n" + stop, "faults[0].tool: tool-fails: no component of this model runs nft"},
		{"fault on unknown container", head + ctrs + "faults:\n  - {fault: slow-exit, container: web, after: 1s}\n" + stop, `faults[0].container: "web": expected one of the containers`},
		{"fault parameter out of range", head + ctrs + "faults:\n  - {fault: signal-drop, nth: 0}\n" + stop, "fault signal-drop: parameter nth"},
		{"invariant of another model", head + ctrs + "steps: []\nexpect: {violation: delete-leaves-nothing}\n", `expect.violation: "delete-leaves-nothing": expected one of`},
		{"deep nesting", head + ctrs + "steps: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\nexpect: pass\n", "bad.yaml"},
		{"ten megabytes", head + ctrs + "description: " + strings.Repeat("x", 10<<20) + "\n" + stop, "expected at most"},
	}
}

// annotations are malformed files of the annotations model.
func annotations() []struct{ name, text, want string } {
	const head = "name: x\nmodel: annotations\nvariant: reference\n"
	const step = "steps:\n  - {at: 0s, op: create, id: a, spec: '{}'}\n"
	return []struct{ name, text, want string }{
		{"unknown variant", "name: x\nmodel: annotations\nvariant: kata-2\n" + step + "expect: pass\n", `:3: variant: unknown annotations variant "kata-2"`},
		{"hostport field", head + "options: {disable_hostport_mapping: true}\n" + step + "expect: pass\n", `:4: options: unknown field "disable_hostport_mapping"`},
		{"bad vfio mode", head + "options: {vfio_mode: gpu}\n" + step + "expect: pass\n", `:4: options.vfio_mode: "gpu": expected one of guest-kernel, vfio`},
		{"bad port", head + "options: {cold_plug_vfio: pcie-port}\n" + step + "expect: pass\n", `options.cold_plug_vfio: "pcie-port": expected one of no-port`},
		{"pci not a list", head + "pci: {group: 12}\n" + step + "expect: pass\n", ":4: pci: expected a list of PCI functions"},
		{"pci group missing", head + "pci:\n  - {bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"0x030200\"}\n" + step + "expect: pass\n", ":5: pci[0].group: missing"},
		{"bad bdf", head + "pci:\n  - {group: 12, bdf: \"41:00.0\", vendor: \"0x10de\", class: \"0x030200\"}\n" + step + "expect: pass\n", `:5: pci[0].bdf: "41:00.0": expected a PCI address`},
		{"bad class", head + "pci:\n  - {group: 12, bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"VGA\"}\n" + step + "expect: pass\n", `pci[0].class: "VGA": expected a class code`},
		{"bad pcie", head + "pci:\n  - {group: 12, bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"0x030200\", pcie: maybe}\n" + step + "expect: pass\n", `pci[0].pcie: "maybe": expected true or false`},
		{"duplicate bdf", head + "pci:\n  - {group: 12, bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"0x030200\"}\n  - {group: 13, bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"0x030200\"}\n" + step + "expect: pass\n", ":6: pci[1].bdf: 0000:41:00.0 is listed twice"},
		{"missing steps", head + "expect: pass\n", "steps: missing"},
		{"unknown op", head + "steps:\n  - {op: start, id: a}\nexpect: pass\n", `:5: steps[0].op: unknown operation "start": expected create or delete`},
		{"create without spec", head + "steps:\n  - {op: create, id: a}\nexpect: pass\n", ":5: steps[0].spec: missing"},
		{"spec as a mapping", head + "steps:\n  - op: create\n    id: a\n    spec: {ociVersion: 1.1.0}\nexpect: pass\n", ":7: steps[0].spec: expected the config.json text as a string"},
		{"delete with spec", head + "steps:\n  - {op: delete, id: a, spec: '{}'}\nexpect: pass\n", ":5: steps[0]: delete takes only at and id"},
		{"missing id", head + "steps:\n  - {op: delete}\nexpect: pass\n", "id: missing"},
		{"unknown fault label", head + "steps:\n  - {op: create, id: a, spec: '{}', faults: [nil-pointer]}\nexpect: pass\n", `steps[0].faults: "nil-pointer": expected the name of a data fault`},
		{"node fault as a label", head + "steps:\n  - {op: create, id: a, spec: '{}', faults: [tool-missing]}\nexpect: pass\n", `"tool-missing": expected the name of a data fault`},
		{"another model's data fault as a label", head + "steps:\n  - {op: create, id: a, spec: '{}', faults: [host-port-zero]}\nexpect: pass\n", `"host-port-zero": expected the name of a data fault this model consumes`},
		{"node fault in the faults section", head + "faults:\n  - {fault: kernel-version, version: \"5.10\"}\nsteps:\n  - {op: create, id: a, spec: '{}'}\nexpect: pass\n", `faults[0].fault: kernel-version is not consumed by any component of this model: expected no fault`},
		{"steps out of order", head + "steps:\n  - {at: 2s, op: delete, id: a}\n  - {at: 1s, op: delete, id: a}\nexpect: pass\n", "before the previous step"},
		{"unknown invariant", head + step + "expect: {violation: forwarding-matches-live-mappings}\n", `expect.violation: "forwarding-matches-live-mappings": expected one of accepts-valid-requests`},
		{"bare pci", head + "pci:\n" + step + "expect: pass\n", ":4: pci: expected a list of PCI functions"},
	}
}

// cgroups are malformed files of the cgroups model.
func cgroups() []struct{ name, text, want string } {
	const head = "name: x\nmodel: cgroups\nvariant: reference\n"
	const run = "steps:\n  - {op: run-pod-sandbox, sandbox: pod1, resources: {memory: 268435456}}\n"
	return []struct{ name, text, want string }{
		{"unknown distro", head + "node: {distro: centos-5}\n" + run + "expect: pass\n", `:4: node.distro: unknown distro "centos-5": expected one of`},
		{"profile is now distro", head + "node: {profile: al2-like}\n" + run + "expect: pass\n", `:4: node: unknown field "profile"`},
		{"unknown node field", head + "node: {cpus: 4}\n" + run + "expect: pass\n", `:4: node: unknown field "cpus"`},
		{"bad driver", head + "config: {driver: openrc}\n" + run + "expect: pass\n", `config.driver: "openrc": expected systemd or cgroupfs`},
		{"bad hypervisor", head + "config: {hypervisor: xen}\n" + run + "expect: pass\n", `config.hypervisor: "xen"`},
		{"bad bool", head + "config: {sandbox_cgroup_only: maybe}\n" + run + "expect: pass\n", "expected true or false"},
		{"run without resources", head + "steps:\n  - {op: run-pod-sandbox, sandbox: pod1}\nexpect: pass\n", "steps[0].resources: missing"},
		{"stop with a container", head + "steps:\n  - {op: stop-pod-sandbox, sandbox: pod1, container: c1}\nexpect: pass\n", "stop-pod-sandbox does not take container"},
		{"create without container", head + "steps:\n  - {op: create-container, sandbox: pod1}\nexpect: pass\n", "container: missing"},
		{"bad cpus", head + "steps:\n  - {op: create-container, sandbox: pod1, container: c1, cpus: all}\nexpect: pass\n", `steps[0].cpus: "all": expected a CPU list`},
		{"negative memory", head + "steps:\n  - {op: run-pod-sandbox, sandbox: pod1, resources: {memory: -1}}\nexpect: pass\n", "resources.memory"},
		{"unknown resource", head + "steps:\n  - {op: run-pod-sandbox, sandbox: pod1, resources: {swap: 1}}\nexpect: pass\n", `unknown field "swap"`},
		{"unknown op", head + "steps:\n  - {op: pause, sandbox: pod1}\nexpect: pass\n", `unknown operation "pause"`},
		{"bad mode fault", head + "faults:\n  - {fault: cgroup-mode, mode: v3}\n" + run + "expect: pass\n", "expected one of v1, hybrid, v2"},
		{"hostport field", head + "options: {disable_hostport_mapping: true}\n" + run + "expect: pass\n", `unknown field "options"`},
		{"unknown invariant", head + run + "expect: {violation: forwarding-matches-live-mappings}\n", "expect.violation"},
		{"sandbox with a slash", head + "steps:\n  - {op: run-pod-sandbox, sandbox: a/b, resources: {memory: 1}}\nexpect: pass\n", `:5: steps[0].sandbox: "a/b": expected a sandbox ID as containerd accepts one`},
		{"sandbox dot", head + "steps:\n  - {op: run-pod-sandbox, sandbox: ., resources: {memory: 1}}\nexpect: pass\n", `:5: steps[0].sandbox: ".": expected a sandbox ID`},
		{"sandbox dot dot", head + "steps:\n  - {op: stop-pod-sandbox, sandbox: ..}\nexpect: pass\n", `:5: steps[0].sandbox: "..": expected a sandbox ID`},
		{"sandbox with NUL", head + "steps:\n  - {op: stop-pod-sandbox, sandbox: \"a\\0b\"}\nexpect: pass\n", `:5: steps[0].sandbox: "a\x00b": expected a sandbox ID`},
		{"sandbox too long", head + "steps:\n  - {op: stop-pod-sandbox, sandbox: " + strings.Repeat("a", 77) + "}\nexpect: pass\n", `:5: steps[0].sandbox: "aaaa`},
		{"fault on sandbox dot dot", head + "faults:\n  - {fault: cgroup-exists, sandbox: ../x}\n" + run + "expect: pass\n", `:5: faults[0].sandbox: "../x": expected a sandbox ID`},
		{"cpu not online", head + "steps:\n  - {op: create-container, sandbox: p, container: c, cpus: \"2-4\"}\nexpect: pass\n", `:5: steps[0].cpus: "2-4": CPU 4 is not online on node fedora-42: expected CPUs 0 to 3`},
		{"quota below 1 ms", head + "steps:\n  - {op: run-pod-sandbox, sandbox: p, resources: {cpu_quota: 999}}\nexpect: pass\n", `:5: steps[0].resources.cpu_quota: "999": expected 0 (unset) or a number from 1000 to 1099511627776`},
		{"cpu number of int64", head + "steps:\n  - {at: 0s, op: run-pod-sandbox, sandbox: p, resources: {cpus: \"9223372036854775807\"}}\nexpect: pass\n", `:5: steps[0].resources.cpus: "9223372036854775807": 9223372036854775807 is above 8191, the largest CPU number Linux allows`},
		{"cpu range to int64", head + "steps:\n  - {op: create-container, sandbox: p, container: c, cpus: 0-9223372036854775807}\nexpect: pass\n", `:5: steps[0].cpus: "0-9223372036854775807": 9223372036854775807 is above 8191`},
		{"cpu beyond uint64", head + "steps:\n  - {op: create-container, sandbox: p, container: c, cpus: 0-99999999999999999999999}\nexpect: pass\n", "is above 8191"},
		{"cpu one past the limit", head + "steps:\n  - {op: create-container, sandbox: p, container: c, cpus: 0-8192}\nexpect: pass\n", "8192 is above 8191"},
		{"signed cpu", head + "steps:\n  - {op: create-container, sandbox: p, container: c, cpus: \"+3\"}\nexpect: pass\n", `"+3": expected a CPU list`},
		{"cpu range of 30001", head + "steps:\n  - {op: create-container, sandbox: p, container: c, cpus: 0-30000}\nexpect: pass\n", `:5: steps[0].cpus: "0-30000": 30000 is above 8191`},
	}
}
