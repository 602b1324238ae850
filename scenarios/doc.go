// Package scenarios is faultsim's scenario file format and what runs it: a
// strict YAML parser whose errors name the file, line and field and what was
// expected; a writer that turns a failure into a minimal file that replays
// it; a runner that checks a scenario's outcome against its expect; a
// shrinker; and a campaign runner: scenarios drawn from a seed on parallel
// workers, every distinct failure shrunk (rapid's shrinker from the very
// case found, then the greedy one) and written once, a state file to resume
// from or to merge shards with, and Markdown, JSON and HTML reports.
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
// model; the fields between them are the model's own. A model plugs in with
// a models.Model (registered by its package) and a codec here (one file per
// model, such as hostport.go) that reads and writes its fields.
//
// expect is "pass" (no invariant broken) or {violation: NAME} (NAME is among
// the invariants broken). The seed orders simultaneous events.
package scenarios
