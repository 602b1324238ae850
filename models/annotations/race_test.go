package annotations_test

import (
	"strings"
	"testing"

	"github.com/faultsim/faultsim/campaign/campaigntest"
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
	for _, tt := range []struct {
		variant string
		races   bool
	}{{"reference", false}, {annotations.UnlockedVariant, true}} {
		t.Run(tt.variant, func(t *testing.T) {
			for _, r := range campaigntest.RaceMode(t, "annotations", tt.variant, budget, 5, tt.races).Races {
				if site := r.Death.Site(); site.File != "unlocked_test.go" || !strings.HasPrefix(site.Func, "annotations.(*unlockedShim).") {
					t.Fatalf("race at %s, want one in the unlocked shim's handlers:\n%s", site, r.Death.Report())
				}
			}
		})
	}
}
