// Package campaigntest runs campaigns for a model's tests: race mode's
// campaigns, which a model that implements campaign.Concurrent checks its
// variants with.
package campaigntest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultsim/faultsim/campaign"
)

// RaceMode runs a race-mode campaign of a model's variant (one worker,
// budget scenarios, each also run concurrently in a child) from seed 1;
// when wantRaces and it found none, it runs again from the next seed, at
// most attempts campaigns in all, since Go's runtime catches a racing map
// in only some runs. It fails t unless every scenario ran and had its
// concurrent run, or when the races found do not match wantRaces. It
// returns the last campaign's report.
func RaceMode(t testing.TB, model, variant string, budget, attempts int, wantRaces bool) campaign.Report {
	t.Helper()
	// Two threads in the children whatever the environment says, so the
	// handlers run in parallel and the runtime can catch them.
	t.Setenv("GOMAXPROCS", "2")
	var rep campaign.Report
	var out string
	for seed := uint64(1); seed <= uint64(max(1, attempts)); seed++ {
		out = t.TempDir()
		var err error
		rep, err = campaign.Run(context.Background(), campaign.Config{Model: model, Variant: variant, Seed: seed,
			MaxScenarios: budget, Workers: 1, Out: out, Isolate: true, IsolateTimeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Scenarios != int64(budget) || rep.RaceRuns != int64(budget) {
			t.Fatalf("%s/%s seed %d: %d scenarios, %d concurrent runs; want %d of each",
				model, variant, seed, rep.Scenarios, rep.RaceRuns, budget)
		}
		t.Logf("%s/%s seed %d: %d concurrent runs, %s each, %d race(s)", model, variant, seed,
			rep.RaceRuns, rep.RaceTime/time.Duration(rep.RaceRuns), len(rep.Races))
		if !wantRaces || len(rep.Races) > 0 {
			break
		}
	}
	text, err := os.ReadFile(filepath.Join(out, campaign.RacesFile))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case !wantRaces && len(rep.Races) > 0:
		t.Fatalf("%s/%s: %d race(s), want none:\n%s", model, variant, len(rep.Races), text)
	case wantRaces && len(rep.Races) == 0:
		t.Fatalf("%s/%s: no race in %d campaigns of %d scenarios", model, variant, attempts, budget)
	}
	for _, r := range rep.Races {
		if r.Violation().Invariant != campaign.RaceInvariant.Name {
			t.Fatalf("violation of %s, want %s", r.Violation().Invariant, campaign.RaceInvariant.Name)
		}
		t.Logf("%s: %d hit(s) from scenario %d", r.Death, r.Hits, r.Index)
	}
	return rep
}
