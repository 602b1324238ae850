package scenarios

import (
	"context"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/models/annotations"
)

// TestAnnotationsBadInput: each malformed annotations file gives one clear
// error naming the file, the line and the field, and what was expected.
func TestAnnotationsBadInput(t *testing.T) {
	const head = "name: x\nmodel: annotations\nvariant: reference\n"
	const step = "steps:\n  - {at: 0s, op: create, id: a, spec: '{}'}\n"
	tests := []struct{ name, text, want string }{
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
		{"host fault as a label", head + "steps:\n  - {op: create, id: a, spec: '{}', faults: [non-nvidia-device]}\nexpect: pass\n", `"non-nvidia-device": expected the name of a data fault`},
		{"steps out of order", head + "steps:\n  - {at: 2s, op: delete, id: a}\n  - {at: 1s, op: delete, id: a}\nexpect: pass\n", "before the previous step"},
		{"unknown invariant", head + step + "expect: {violation: forwarding-matches-live-mappings}\n", `expect.violation: "forwarding-matches-live-mappings": expected one of accepts-valid-requests`},
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

// TestAnnotationsSpecText: a config.json is kept byte for byte, written as
// a block when that reads back exactly and quoted otherwise.
func TestAnnotationsSpecText(t *testing.T) {
	for _, text := range []string{
		"{\"ociVersion\": \"1.1.0\"}\n",
		"{\n  \"a\": \"b\"\n}\n",
		"{}",                      // no final newline
		"{}\n\n",                  // two
		"  {}\n",                  // leading blanks
		"{\"a\": 1} \n",           // trailing blank
		"{\"a\":\n\n1}\n",         // empty line
		"{\"k\": \"\u00e9\t\"}\n", // non-ASCII and a tab
		"{\"k\": \"\x01\"}\n",     // a control character
		"not json at all: [\n",
	} {
		s := &Scenario{Name: "t", Model: "annotations", Variant: "reference", Seed: 1, Case: &annotations.Case{
			Variant: "reference", Node: annotations.DefaultNode(), Config: annotations.DefaultConfig(),
			Steps: []annotations.Step{{Op: annotations.OpCreate, ID: "a", Spec: text}}}}
		back, err := Parse("t.yaml", Format(s))
		if err != nil {
			t.Fatalf("%q: %v\n%s", text, err, Format(s))
		}
		if got := back.Case.(*annotations.Case).Steps[0].Spec; got != text {
			t.Fatalf("spec %q read back as %q\n%s", text, got, Format(s))
		}
		if blockSafe(text) != strings.Contains(string(Format(s)), "spec: |") {
			t.Fatalf("%q: block form = %v", text, blockSafe(text))
		}
	}
}

// TestAnnotationsCampaign: a short campaign finds kata-3.8.0's crash,
// shrinks it to one create of a GPU, and the file replays; the reference
// finds nothing in the same budget.
func TestAnnotationsCampaign(t *testing.T) {
	dir := t.TempDir()
	rep, err := Campaign(context.Background(), CampaignConfig{Model: "annotations", Variant: "kata-3.8.0", Seed: 1, MaxScenarios: 200, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 {
		t.Fatalf("findings = %d, want the one crash", len(rep.Findings))
	}
	f := rep.Findings[0]
	if !strings.Contains(f.Signature, "crash@annotations.(*kataContainer).siblingAnnotation") || f.SizeAfter > 8 {
		t.Fatalf("finding %s shrunk %d -> %d", f.Signature, f.SizeBefore, f.SizeAfter)
	}
	s, err := ParseFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	if o, err := Run(s, true); err != nil || !o.OK || !strings.Contains(o.Result.Violations[0].Message, "assignment to entry in nil map") {
		t.Fatalf("%s does not replay to the nil map panic: %s (%v)", f.Path, o.Got, err)
	}
	ref, err := Campaign(context.Background(), CampaignConfig{Model: "annotations", Variant: "reference", Seed: 1, MaxScenarios: 1000})
	if err != nil || len(ref.Findings) > 0 {
		t.Fatalf("reference campaign: %v, findings %v", err, ref.Findings)
	}
}
