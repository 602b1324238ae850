package scenarios

import (
	"testing"

	"github.com/faultsim/faultsim/models/annotations"
)

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
			Variant: "reference", PCI: annotations.DefaultNode(), Config: annotations.DefaultConfig(),
			Steps: []annotations.Step{{Op: annotations.OpCreate, ID: "a", Spec: text}}}}
		back, err := Parse("t.yaml", Format(s))
		if err != nil {
			t.Fatalf("%q: %v\n%s", text, err, Format(s))
		}
		if got := back.Case.(*annotations.Case).Steps[0].Spec; got != text {
			t.Fatalf("spec %q read back as %q\n%s", text, got, Format(s))
		}
	}
}
