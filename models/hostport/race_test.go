package hostport_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/models/hostport"
)

// TestRaceModeOnUserManagers runs the hostport campaign in race mode on
// managers plugged in with Register: the reference (its backends' locks
// as CRI-O's) and a manager keeping every sandbox's mappings in a map
// under a lock are clean; the same manager without the lock dies of Go's
// fatal concurrent map access (or a race report under -race), recorded at
// its Add or Remove while every scenario still runs.
func TestRaceModeOnUserManagers(t *testing.T) {
	remove, err := hostport.RegisterSharedMap()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	// The runtime catches the unlocked map in roughly one scenario in
	// five to ten on two idle cores, and in one in fifty on a loaded
	// machine: the racing variant's campaign is run again, from the next
	// seed, until it finds the race, at most attempts times.
	budget, attempts := 300, 5
	if testing.Short() {
		budget = 120
	}
	// Two threads in the children whatever the environment says, so the
	// handlers run in parallel and the runtime can catch them.
	t.Setenv("GOMAXPROCS", "2")
	for _, tt := range []struct {
		variant string
		races   bool
	}{{"reference", false}, {hostport.SharedMapLockedVariant, false}, {hostport.SharedMapVariant, true}} {
		t.Run(tt.variant, func(t *testing.T) {
			var rep campaign.Report
			var out string
			for seed := uint64(1); seed <= uint64(attempts); seed++ {
				out = t.TempDir()
				var err error
				rep, err = campaign.Run(context.Background(), campaign.Config{Model: "hostport", Variant: tt.variant, Seed: seed,
					MaxScenarios: budget, Workers: 1, Out: out, Isolate: true, IsolateTimeout: 20 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Scenarios != int64(budget) || rep.RaceRuns != int64(budget) || len(rep.Findings) != 0 {
					t.Fatalf("seed %d: %d scenarios, %d concurrent runs, %d findings; want %d, %d and none",
						seed, rep.Scenarios, rep.RaceRuns, len(rep.Findings), budget, budget)
				}
				t.Logf("seed %d: %d concurrent runs, %s each, %d race(s)", seed, rep.RaceRuns, rep.RaceTime/time.Duration(rep.RaceRuns), len(rep.Races))
				if !tt.races || len(rep.Races) > 0 {
					break
				}
			}
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
				t.Fatalf("no race found in %d campaigns of %d scenarios", attempts, budget)
			}
			for _, r := range rep.Races {
				t.Logf("%s: %d hit(s) from scenario %d", r.Death, r.Hits, r.Index)
				if r.Violation().Invariant != campaign.RaceInvariant.Name {
					t.Fatalf("violation of %s, want %s", r.Violation().Invariant, campaign.RaceInvariant.Name)
				}
				if site := r.Death.Site(); site.File != "sharedmap_test.go" || !strings.HasPrefix(site.Func, "hostport.(*sharedMapManager).") {
					t.Fatalf("race at %s, want one in the manager's Add or Remove:\n%s", site, r.Death.Report())
				}
			}
		})
	}
}
