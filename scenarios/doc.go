// Package scenarios is faultsim's scenario file: a strict YAML parser whose
// errors name the file, line and field and what was expected; a writer
// whose output parses back to the same scenario; a runner that checks a
// scenario's outcome against its expect; and the check that a file written
// for a failure (a campaign's finding, an imported fuzz input) reads back
// and replays to it. The corpus of incident and regression files is in
// corpus/. What draws, shrinks and searches for scenarios is elsewhere: the
// shrinkers in package shrink, campaigns and their reports in package
// campaign.
//
// A scenario file reads:
//
//	name: incident-1
//	description: CRI-O 1.33.0 deletes a hostPort pod on a host without iptables
//	model: hostport
//	variant: crio-1.33.0
//	seed: 1
//	node: {distro: fedora-42, kernel: 6.14.0, tools: {nft: 1.1.1}}
//	options: {disable_hostport_mapping: false}
//	faults:
//	  - {fault: tool-missing, tool: iptables}
//	steps:
//	  - {at: 0s, op: run-pod-sandbox, sandbox: web, ips: [10.88.0.2],
//	     ports: [{protocol: TCP, host_port: 8080, container_port: 80}]}
//	  - {at: 2s, op: stop-pod-sandbox, sandbox: web}
//	expect: {violation: crash}
//
// name, description, model, variant, seed and expect are common to every
// model; the fields between them are the model's own, read and written by
// the model's models.Codec (models/<m>/schema.go); a model is known here
// once models/all imports it.
//
// expect is "pass" (no invariant broken) or {violation: NAME} (NAME is among
// the invariants broken). The seed orders simultaneous events.
package scenarios
