package main

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/models"
)

func TestProcsFor(t *testing.T) {
	for _, c := range []struct{ workers, procs, want int }{
		{1, 2, 2},  // a P stays idle already
		{2, 2, 3},  // the workers fill every P: one spare
		{4, 2, 2},  // more workers than Ps: a P taken goes to a waiting worker
		{1, 1, 2},  // one CPU
		{3, 8, 8},  // a few workers on a large machine
		{8, 8, 9},  // every P
		{16, 8, 8}, // more
	} {
		if got := procsFor(c.workers, c.procs); got != c.want {
			t.Errorf("procsFor(%d workers, %d procs) = %d, want %d", c.workers, c.procs, got, c.want)
		}
	}
}

// TestSpareProc checks that spareProc changes GOMAXPROCS only while it is
// held, only for system-bound workers that fill every P and only when the
// environment does not set it.
func TestSpareProc(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(before) })
	t.Setenv("GOMAXPROCS", "")
	if err := os.Unsetenv("GOMAXPROCS"); err != nil {
		t.Fatal(err)
	}
	runtime.SetDefaultGOMAXPROCS()
	def := runtime.GOMAXPROCS(0)

	restore := spareProc(def, true)
	if got := runtime.GOMAXPROCS(0); got != def+1 {
		t.Errorf("%d workers on %d Ps: GOMAXPROCS %d while held, want %d", def, def, got, def+1)
	}
	restore()
	if got := runtime.GOMAXPROCS(0); got != def {
		t.Errorf("after restore: GOMAXPROCS %d, want the default %d", got, def)
	}

	restore = spareProc(def, false)
	if got := runtime.GOMAXPROCS(0); got != def {
		t.Errorf("%d CPU-bound workers on %d Ps: GOMAXPROCS %d, want it left at %d", def, def, got, def)
	}
	restore()

	if def > 1 {
		restore = spareProc(def-1, true)
		if got := runtime.GOMAXPROCS(0); got != def {
			t.Errorf("%d workers on %d Ps: GOMAXPROCS %d, want it left at %d", def-1, def, got, def)
		}
		restore()
	}

	t.Setenv("GOMAXPROCS", "1")
	runtime.GOMAXPROCS(1)
	restore = spareProc(1, true)
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("GOMAXPROCS=1 in the environment: GOMAXPROCS %d while held, want 1", got)
	}
	restore()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("GOMAXPROCS=1 in the environment: GOMAXPROCS %d after restore, want 1", got)
	}
}

func TestSystemBound(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  campaign.Config
		want bool
	}{
		{"cgroups", campaign.Config{Model: "cgroups", Variant: "reference"}, true},
		{"hostport", campaign.Config{Model: "hostport", Variant: "reference"}, false},
		{"cgroups' variants", campaign.Config{Streams: []campaign.Stream{{Model: "cgroups", Variant: "reference"}, {Model: "cgroups", Variant: "kata-3.12.0"}}}, true},
		{"a mix with cgroups", campaign.Config{Streams: []campaign.Stream{{Model: "signals", Variant: "reference"}, {Model: "cgroups", Variant: "reference"}}}, false},
		{"a mix without", campaign.Config{Streams: []campaign.Stream{{Model: "signals", Variant: "reference"}, {Model: "annotations", Variant: "reference"}}}, false},
		{"resumed cgroups", campaign.Config{Resume: &campaign.State{Streams: []*campaign.StreamState{{Model: "cgroups", Variant: "reference"}}}}, true},
		{"nothing named", campaign.Config{}, false},
		{"resumed hostname", campaign.Config{Resume: &campaign.State{Streams: []*campaign.StreamState{{Model: "hostname", Variant: "reference"}}}}, false},
		{"resumed cgroups, hostport named", campaign.Config{Model: "hostport", Variant: "reference", Resume: &campaign.State{Streams: []*campaign.StreamState{{Model: "cgroups", Variant: "reference"}}}}, true},
	} {
		if got := systemBound(c.cfg); got != c.want {
			t.Errorf("%s: systemBound %v, want %v", c.name, got, c.want)
		}
	}
}

// TestHelpNamesTheSystemBoundModels: fuzz --help names the models that get
// the spare P from their SystemBound mark, not from a list of its own.
func TestHelpNamesTheSystemBoundModels(t *testing.T) {
	m := func(name string, bound bool) *models.Model { return &models.Model{Name: name, SystemBound: bound} }
	for _, tt := range []struct {
		ms   []*models.Model
		want string
	}{
		{nil, "none"},
		{[]*models.Model{m("a", false)}, "none"},
		{[]*models.Model{m("a", true), m("b", false)}, "a"},
		{[]*models.Model{m("a", true), m("b", false), m("c", true)}, "a and c"},
		{[]*models.Model{m("a", true), m("b", true), m("c", true)}, "a, b and c"},
	} {
		if got := systemBoundNames(tt.ms); got != tt.want {
			t.Errorf("systemBoundNames(%d models) = %q, want %q", len(tt.ms), got, tt.want)
		}
	}
	help := strings.Join(strings.Fields(newFuzzCmd().Long), " ")
	if want := "system-bound models alone (" + systemBoundNames(models.All()) + ")"; !strings.Contains(help, want) {
		t.Errorf("fuzz --help does not say %q:\n%s", want, help)
	}
}
