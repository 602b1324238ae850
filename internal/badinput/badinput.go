// Package badinput holds malformed inputs, each with the error it must
// give: scenario files (Cases: those of the fields every model shares
// here, each model's own in its directory, models.Model.BadInputs,
// gathered through the registry of the models the test binary links; the
// scenarios package's tests parse them, faultsim's run them through the
// CLI, exit 2 and one error naming the file, line and field), special
// files (Files) and campaign states (States: campaign's tests load and
// merge them, faultsim's resume and merge them).
package badinput

import (
	"strings"

	"github.com/faultsim/faultsim/models"
)

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

// Cases returns every malformed file: the common fields' first, then each
// registered model's own (models.Model.BadInputs), models by name.
func Cases() []Case {
	var out []Case
	for _, c := range common() {
		out = append(out, Case{Name: c.name, Text: c.text, Want: c.want})
	}
	for _, m := range models.All() {
		for _, c := range m.BadInputs {
			out = append(out, Case{Model: m.Name, Name: c.Name, Text: c.Text, Want: c.Want})
		}
	}
	return out
}

// common are malformed files of the fields every model shares (written for
// hostport, whose own are in its directory).
func common() []struct{ name, text, want string } {
	const head = "name: x\nmodel: hostport\nvariant: reference\n"
	const step = "steps:\n  - {at: 0s, op: run-pod-sandbox, sandbox: a, ips: [10.88.0.2]}\n"
	return []struct{ name, text, want string }{
		{"empty file", "", "file is empty"},
		{"not yaml", "name: [unclosed\n", "invalid YAML"},
		{"unknown top-level field", head + "colour: red\n" + step + "expect: pass\n", `:4: scenario: unknown field "colour"`},
		{"unknown model", "name: x\nmodel: kubelet\nvariant: reference\n" + step + "expect: pass\n", `:2: model: unknown model "kubelet"`},
		{"missing name", "model: hostport\nvariant: reference\n" + step + "expect: pass\n", "name: missing"},
		{"unknown fault", head + "faults:\n  - {fault: cosmic-ray}\n" + step + "expect: pass\n", `:5: faults[0]: unknown fault "cosmic-ray"`},
		{"fault parameter missing", head + "faults:\n  - {fault: tool-missing}\n" + step + "expect: pass\n", `missing parameter "tool"`},
		{"bad tool version", head + "node: {tools: {nft: latest}}\n" + step + "expect: pass\n", `:4: node.tools.nft: "latest": expected a version`},
		{"tool given twice", head + "node: {tools: {nft: 1.1.1, nft: 1.0.6}}\n" + step + "expect: pass\n", `:4: node.tools: tool "nft" given twice`},
		{"unknown distro", head + "node: {distro: windows-11}\n" + step + "expect: pass\n", `:4: node.distro: unknown distro "windows-11"`},
		{"bad cgroup mode", head + "node: {cgroup: v3}\n" + step + "expect: pass\n", `:4: node.cgroup: "v3": expected v1, hybrid or v2`},
		{"bad kernel", head + "node: {kernel: new}\n" + step + "expect: pass\n", ":4: node.kernel:"},
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
