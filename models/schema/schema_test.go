package schema

import (
	"strings"
	"testing"

	"go.uber.org/goleak"
	"go.yaml.in/yaml/v3"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func doc(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil {
		t.Fatal(err)
	}
	return n.Content[0]
}

// TestDecoderNamesFileLineField: every reader's error says where and what
// was expected.
func TestDecoderNamesFileLineField(t *testing.T) {
	d := &Decoder{File: "f.yaml", Tools: []string{"nft"}}
	tests := []struct {
		text string
		read func(n *yaml.Node) error
		want string
	}{
		{"a: 1\nb: 2\n", func(n *yaml.Node) error { _, err := d.Fields(n, "x", "a"); return err }, `f.yaml:2: x: unknown field "b": expected one of a`},
		{"at: -1s\n", func(n *yaml.Node) error { _, err := d.Duration(n.Content[1], "at"); return err }, "f.yaml:1: at: -1s is negative"},
		{"p: 70000\n", func(n *yaml.Node) error { _, err := d.Int32In(n.Content[1], "p", 1, 65535); return err }, "f.yaml:1: p: 70000 is out of range"},
		{"distro: centos-5\n", func(n *yaml.Node) error { _, err := d.Node(n); return err }, `f.yaml:1: node.distro: unknown distro "centos-5"`},
		{"x: 0\ns:\n  - {at: 1s}\n  - {}\n", func(n *yaml.Node) error {
			return d.EachStep(n.Content[3], false, []string{"at"}, func(StepItem) error { return nil })
		}, "f.yaml:4: steps[1]: no at, so 0s, is before the previous step's 1s"},
		{"x: 0\ns:\n  - {at: 1s}\n", func(n *yaml.Node) error {
			return d.EachStep(n.Content[3], false, []string{"at", "op"}, func(it StepItem) error { return d.Errf(it.F["op"], it.Field+".op", "absent") })
		}, "f.yaml:3: steps[0].op: absent"},
		{"- {fault: tool-missing, tool: nft}\n", func(n *yaml.Node) error { _, err := d.Faults(n); return err }, "f.yaml:1: faults[0].fault: tool-missing is not consumed by any component of this model"},
	}
	for _, tt := range tests {
		err := tt.read(doc(t, tt.text))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one starting %q", tt.text, err, tt.want)
		}
	}
}

// TestQuoteReadsBack: a quoted string reads back as itself.
func TestQuoteReadsBack(t *testing.T) {
	for _, s := range []string{"", "web", "- x", "? y", "a: b", "#c", "yes", "1.0", "\u2028", "tab\there", "\r", "null"} {
		var back string
		if err := yaml.Unmarshal([]byte("v: "+Quote(s)+"\n"), &struct{ V *string }{&back}); err != nil {
			t.Fatalf("%q written as %s: %v", s, Quote(s), err)
		}
		if back != s {
			t.Errorf("%q written as %s reads back as %q", s, Quote(s), back)
		}
	}
}
