package scenarios

import (
	"context"
	"testing"

	"github.com/faultsim/faultsim/models/cgroups"
)

// TestCgroupsCampaignFindsAndReplays: a short campaign against kata-3.12.0
// finds failures, writes them shrunk, and each file replays; the
// reference finds nothing in the same budget (120 scenarios; -short: 4,
// which still find three of kata-3.12.0's failures).
func TestCgroupsCampaignFindsAndReplays(t *testing.T) {
	budget := 120
	if testing.Short() {
		budget = 4
	}
	for _, tt := range []struct {
		variant string
		finds   bool
	}{{"kata-3.12.0", true}, {"reference", false}} {
		t.Run(tt.variant, func(t *testing.T) {
			dir := t.TempDir()
			rep, err := Campaign(context.Background(), CampaignConfig{Model: cgroups.Model.Name, Variant: tt.variant, Seed: 1, MaxScenarios: budget, Out: dir})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d scenarios, %d findings", rep.Scenarios, len(rep.Findings))
			if got := len(rep.Findings) > 0; got != tt.finds {
				t.Fatalf("findings = %d, want found=%v", len(rep.Findings), tt.finds)
			}
			for _, f := range rep.Findings {
				t.Logf("%s: size %d -> %d in %d replays", f.Signature, f.SizeBefore, f.SizeAfter, f.ShrinkRuns)
				if f.SizeAfter > f.SizeBefore || f.SizeAfter > 6 {
					t.Errorf("%s: shrunk from %d to %d", f.Signature, f.SizeBefore, f.SizeAfter)
				}
				s, err := ParseFile(f.Path)
				if err != nil {
					t.Fatal(err)
				}
				if o, err := Run(s, false); err != nil || !o.OK {
					t.Fatalf("%s does not replay to %s: got %s (%v)", f.Path, s.Expect, o.Got, err)
				}
			}
		})
	}
}
