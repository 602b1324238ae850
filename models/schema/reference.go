package schema

import (
	"slices"
	"strings"
)

// Field documents one key of a scenario file.
type Field struct {
	// Path is where the key sits, "." between mapping keys and "[]" for
	// a list's items: "options.vfio_mode", "steps[].ports[].host_port".
	Path string
	// Takes says what values the key takes.
	Takes string
	// Doc says what the key means, and its default when it may be left out.
	Doc string
}

// Op documents one operation a model's steps may give.
type Op struct {
	Name string
	// Fields are the step's keys the operation takes besides at and op.
	Fields []string
	Doc    string
	// NotDrawn, when set, says why generated cases never hold the
	// operation: scenario files reach it, campaigns do not.
	NotDrawn string
}

// Reference documents a model's part of a scenario file. A codec reads
// the keys of each mapping from it (Keys), so a key the reference does not
// document is refused at parse time and the two cannot drift apart.
type Reference struct {
	Fields []Field
	Ops    []Op
}

// Keys lists, in order, the keys directly under path: "" gives the
// top-level keys, "steps[]" a step's, "options" the options'.
func (r Reference) Keys(path string) []string {
	prefix := path + "."
	if path == "" {
		prefix = ""
	}
	var out []string
	for _, f := range r.Fields {
		rest, ok := strings.CutPrefix(f.Path, prefix)
		if !ok || rest == "" || strings.ContainsAny(rest, ".[") {
			continue
		}
		out = append(out, rest)
	}
	return out
}

// OpNames lists the operations' names, in order.
func (r Reference) OpNames() []string {
	out := make([]string, len(r.Ops))
	for i, op := range r.Ops {
		out[i] = op.Name
	}
	return out
}

// Op returns the operation called name.
func (r Reference) Op(name string) (Op, bool) {
	i := slices.IndexFunc(r.Ops, func(op Op) bool { return op.Name == name })
	if i < 0 {
		return Op{}, false
	}
	return r.Ops[i], true
}

// Envelope documents the keys every scenario file has, whatever its model.
var Envelope = Reference{Fields: []Field{
	{"name", "string", "the scenario's name (required)"},
	{"description", "string", "what the scenario shows (optional)"},
	{"model", "a model's name (faultsim list models)", "the model the scenario runs (required)"},
	{"variant", "a variant of the model (faultsim list variants), or an implementation a test registered", "the implementation it runs (required)"},
	{"implementation", "mapping", "where a registered implementation lives, written with its scenarios: faultsim replays them only in that test's process, and names the go test command"},
	{"implementation.package", "a Go package path", "the package of the test that registers the implementation (required)"},
	{"implementation.test", "a Go test name", "the test that registers it (empty: TestMain or init)"},
	{"seed", "whole number >= 0", "orders simultaneous events; the same seed replays the same trace (default 0)"},
	{"expect", "pass, or a mapping", "the verdict a replay must give (required)"},
	{"expect.violation", "an invariant of the model (faultsim list invariants)", "the first invariant the run must violate"},
}}

// NodeReference documents the node: section, the same for every model.
var NodeReference = Reference{Fields: []Field{
	{"node", "mapping", "the simulated node (default: the default distro with its kernel, cgroup mode, systemd and tools); faultsim probe prints this machine's"},
	{"node.distro", "a distro of the node's catalog (an unknown one is refused with the list)", "the distro whose kernel, cgroup mode, systemd and tools the node starts from"},
	{"node.kernel", "a kernel release such as 6.1 or 5.10.0", "overrides the distro's kernel; features such as pidfd and cgroup.kill follow it"},
	{"node.cgroup", "v1, hybrid or v2", "overrides the distro's cgroup mode"},
	{"node.systemd", "a systemd version from 200 to 999, such as 252", "overrides the distro's systemd"},
	{"node.tools", "mapping of a known tool's name to its version, such as {nft: 1.1.1}", "adds tools to the distro's or overrides their versions (a tool is removed with the tool-missing fault)"},
}}

// FaultsReference documents the faults: section's items, the same for
// every model; each fault's own parameters are listed by faultsim list faults.
var FaultsReference = Reference{Fields: []Field{
	{"faults", "list", "the faults applied to the run (optional); a fault no component of the model consumes is refused"},
	{"faults[].fault", "a fault's name (faultsim list faults --model M)", "the fault; its parameters are keys beside it, such as tool, at or times"},
}}
