package scenarios

import (
	"context"
	"strings"
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
