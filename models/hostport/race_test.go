package hostport_test

import (
	"strings"
	"testing"

	"github.com/faultsim/faultsim/campaign/campaigntest"
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
	// five to ten on two idle cores, in one in fifty on a loaded machine,
	// and the race detector in two in five: up to eight campaigns are run
	// until one finds it.
	budget := 300
	if testing.Short() {
		budget = 60
	}
	for _, tt := range []struct {
		variant string
		races   bool
	}{{"reference", false}, {hostport.SharedMapLockedVariant, false}, {hostport.SharedMapVariant, true}} {
		t.Run(tt.variant, func(t *testing.T) {
			rep := campaigntest.RaceMode(t, "hostport", tt.variant, budget, 8, tt.races)
			if len(rep.Findings) != 0 {
				t.Fatalf("%d findings in the deterministic runs, want none: the managers differ only in their locks", len(rep.Findings))
			}
			for _, r := range rep.Races {
				if site := r.Death.Site(); site.File != "sharedmap_test.go" || !strings.HasPrefix(site.Func, "hostport.(*sharedMapManager).") {
					t.Fatalf("race at %s, want one in the manager's Add or Remove:\n%s", site, r.Death.Report())
				}
			}
		})
	}
}
