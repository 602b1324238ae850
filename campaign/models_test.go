package campaign

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/cgroups"
	"github.com/faultsim/faultsim/scenarios"
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
			rep, err := Run(context.Background(), Config{Model: cgroups.Model.Name, Variant: tt.variant, Seed: 1, MaxScenarios: budget, Out: dir})
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
				s, err := scenarios.ParseFile(f.Path)
				if err != nil {
					t.Fatal(err)
				}
				if o, err := scenarios.Run(s, false); err != nil || !o.OK {
					t.Fatalf("%s does not replay to %s: got %s (%v)", f.Path, s.Expect, o.Got, err)
				}
			}
		})
	}
}

// TestCampaignFindsShrinksAndReplays: a short campaign against each buggy
// variant finds a failure, writes it shrunk, and the file replays to it;
// the reference finds nothing in the same budget.
func TestCampaignFindsShrinksAndReplays(t *testing.T) {
	for _, tt := range []struct {
		model, variant string
		finds          bool
	}{
		{"hostport", "crio-1.33.0", true}, {"hostport", "zero-port-unfiltered", true}, {"hostport", "reference", false},
		{"signals", "crun-1.16", true}, {"signals", "crio-crun-1.17", true}, {"signals", "reference", false},
	} {
		t.Run(tt.model+"/"+tt.variant, func(t *testing.T) {
			dir := t.TempDir()
			rep, err := Run(context.Background(), Config{Model: tt.model, Variant: tt.variant, Seed: 1, MaxScenarios: 3000, Out: dir})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(rep.Findings) > 0; got != tt.finds {
				t.Fatalf("findings = %d, want found=%v", len(rep.Findings), tt.finds)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
			if len(files) != len(rep.Findings) {
				t.Fatalf("%d scenario files written for %d findings", len(files), len(rep.Findings))
			}
			for _, f := range rep.Findings {
				if f.SizeAfter > f.SizeBefore || f.SizeAfter > 8 {
					t.Errorf("%s: shrunk from %d to %d", f.Signature, f.SizeBefore, f.SizeAfter)
				}
				s, err := scenarios.ParseFile(f.Path)
				if err != nil {
					t.Fatal(err)
				}
				o, err := scenarios.Run(s, false)
				if err != nil || !o.OK {
					t.Fatalf("%s does not replay to %s: got %s (%v)", f.Path, s.Expect, o.Got, err)
				}
			}
		})
	}
}

// TestAnnotationsCampaign: a short campaign finds kata-3.8.0's crash,
// shrinks it to one create of a GPU, and the file replays; the reference
// finds nothing in the same budget.
func TestAnnotationsCampaign(t *testing.T) {
	dir := t.TempDir()
	rep, err := Run(context.Background(), Config{Model: "annotations", Variant: "kata-3.8.0", Seed: 1, MaxScenarios: 200, Out: dir})
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
	s, err := scenarios.ParseFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	if o, err := scenarios.Run(s, true); err != nil || !o.OK || !strings.Contains(o.Result.Violations[0].Message, "assignment to entry in nil map") {
		t.Fatalf("%s does not replay to the nil map panic: %s (%v)", f.Path, o.Got, err)
	}
	ref, err := Run(context.Background(), Config{Model: "annotations", Variant: "reference", Seed: 1, MaxScenarios: 1000})
	if err != nil || len(ref.Findings) > 0 {
		t.Fatalf("reference campaign: %v, findings %v", err, ref.Findings)
	}
}

// TestFindingsSayWhichFaultsTheyNeed: each finding records the fault kinds
// its shrunk case holds, the same the written file's case lists, and the
// summary prints them; incident 1's crash needs a tool fault (a missing
// iptables, or an nft missing or too old: a backend left typed-nil).
func TestFindingsSayWhichFaultsTheyNeed(t *testing.T) {
	dir := t.TempDir()
	rep, err := Run(context.Background(), Config{Model: "hostport", Variant: "crio-1.33.0", Seed: 1, MaxScenarios: 2000, Out: dir, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	crash := false
	for _, f := range rep.Findings {
		s, err := scenarios.ParseFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		want := s.Case.(models.FaultLister).FaultNames()
		if !slices.Equal(f.Faults, want) {
			t.Errorf("%s: faults %v, its file's case holds %v", f.Signature, f.Faults, want)
		}
		if strings.Contains(f.Signature, "crash") && !strings.Contains(f.Signature, "crash-loop") {
			crash = true
			if !slices.Contains(f.Faults, "tool-missing") && !slices.Contains(f.Faults, "tool-version") {
				t.Errorf("%s: needs %v, want tool-missing or tool-version among them", f.Signature, f.Faults)
			}
		}
	}
	if !crash {
		t.Fatalf("no crash among %d findings", len(rep.Findings))
	}
	md, err := os.ReadFile(filepath.Join(dir, SummaryMD))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| faults needed |") || !strings.Contains(string(md), "tool-") {
		t.Errorf("summary lacks the faults needed:\n%s", md)
	}
}
