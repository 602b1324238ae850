package annotations_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/models/annotations"
)

// TestRaceModeOnTheShim runs the annotations model's campaign in race
// mode: the reference shim, which holds the service's lock in every
// handler as Kata's does, is clean; a shim whose handlers share a map
// unlocked dies of Go's fatal concurrent map access (or a race report
// under -race), recorded with its handlers' stacks while every scenario
// still runs.
func TestRaceModeOnTheShim(t *testing.T) {
	remove, err := annotations.RegisterUnlocked()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	budget := 100
	if testing.Short() {
		budget = 60
	}
	// Two threads in the children whatever the environment says, so the
	// handlers run in parallel and the runtime can catch them.
	t.Setenv("GOMAXPROCS", "2")
	for _, tt := range []struct {
		variant string
		races   bool
	}{{"reference", false}, {annotations.UnlockedVariant, true}} {
		t.Run(tt.variant, func(t *testing.T) {
			out := t.TempDir()
			rep, err := campaign.Run(context.Background(), campaign.Config{Model: "annotations", Variant: tt.variant, Seed: 1,
				MaxScenarios: budget, Workers: 1, Out: out, Isolate: true, IsolateTimeout: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Scenarios != int64(budget) || rep.RaceRuns != int64(budget) {
				t.Fatalf("%d scenarios, %d concurrent runs; want %d of each", rep.Scenarios, rep.RaceRuns, budget)
			}
			t.Logf("%d concurrent runs, %s each", rep.RaceRuns, rep.RaceTime/time.Duration(rep.RaceRuns))
			text, err := os.ReadFile(filepath.Join(out, campaign.RacesFile))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.races {
				for _, r := range rep.Races {
					t.Errorf("race %s, want none", r.Death)
				}
				if t.Failed() {
					t.Logf("%s", text)
				}
				return
			}
			if len(rep.Races) == 0 {
				t.Fatalf("no race found in %d scenarios", budget)
			}
			for _, r := range rep.Races {
				t.Logf("%s: %d hit(s) from scenario %d", r.Death, r.Hits, r.Index)
				if site := r.Death.Site(); site.File != "unlocked_test.go" || !strings.HasPrefix(site.Func, "annotations.(*unlockedShim).") {
					t.Fatalf("race at %s, want one in the unlocked shim's handlers:\n%s", site, r.Death.Report())
				}
			}
		})
	}
}
