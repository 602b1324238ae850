package campaign

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/schema"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/isolate"
)

// racemap is a test model: a shim's sandbox registry whose request
// handlers share a map. Its "locked" variant takes the registry's lock,
// "unlocked" does not. Run (the deterministic run) serves the requests
// one after another and breaks nothing; only race mode can tell the
// variants apart.
var racemap = &models.Model{
	Name:       "racemap",
	Summary:    "test model: request handlers sharing a sandbox map",
	Variants:   []models.Variant{{Name: "locked", Summary: "handlers lock the map"}, {Name: "unlocked", Summary: "handlers share the map unlocked", Buggy: true}},
	Invariants: []sim.Invariant{sim.CrashInvariant},
	Codec:      racemapCodec{},
	Generate: func(ch sim.Chooser, variant string) models.Case {
		return &racemapCase{variant: variant, requests: 2 + ch.Intn(3)}
	},
}

func init() { models.Register(racemap) }

type racemapCase struct {
	variant  string
	requests int
}

func (c *racemapCase) VariantName() string     { return c.variant }
func (c *racemapCase) Size() int               { return c.requests }
func (c *racemapCase) Simplify() []models.Case { return nil }
func (c *racemapCase) Run(sim.Chooser, bool) (sim.Result, error) {
	r := &sandboxRegistry{sandboxes: map[int]int{}}
	for id := range c.requests {
		r.handle(id, 100, c.variant == "locked")
	}
	return sim.Result{Trace: &sim.Trace{}}, nil
}

// RunConcurrent serves the requests at once, as the shim's gRPC server
// does, each handler for a while: long enough for an unlocked map to be
// caught by the runtime on two cores.
func (c *racemapCase) RunConcurrent(sim.Chooser) error {
	r := &sandboxRegistry{sandboxes: map[int]int{}}
	locked := c.variant == "locked"
	var wg sync.WaitGroup
	start := make(chan struct{})
	until := time.Now().Add(50 * time.Millisecond)
	if !locked {
		until = time.Now().Add(2 * time.Second)
	}
	for id := range c.requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; i&1023 != 0 || time.Now().Before(until); i++ {
				r.handle(id, 1, locked)
			}
		}()
	}
	close(start)
	wg.Wait()
	return nil
}

type sandboxRegistry struct {
	mu        sync.Mutex
	sandboxes map[int]int
}

func (r *sandboxRegistry) handle(id, n int, locked bool) {
	for i := range n {
		if locked {
			r.mu.Lock()
		}
		r.sandboxes[id] = i
		_ = r.sandboxes[id+1]
		if locked {
			r.mu.Unlock()
		}
	}
}

// racemapCodec: the test model has no scenario files.
type racemapCodec struct{}

func (racemapCodec) Reference() schema.Reference { return schema.Reference{} }
func (racemapCodec) Parse(*schema.Decoder, *yaml.Node, map[string]*yaml.Node, string) (models.Case, error) {
	return nil, errors.New("racemap has no scenario files")
}
func (racemapCodec) Format(*strings.Builder, models.Case) {}

// TestRaceModeRecordsAnUnsynchronisedMapAndGoesOn: in race mode the
// unlocked variant's concurrent run kills its child with Go's fatal
// concurrent map error (or a race report under -race), recorded once as a
// race with both handlers' stacks in races.txt, while every scenario of
// the budget still runs; the locked variant and the deterministic runs
// find nothing.
func TestRaceModeRecordsAnUnsynchronisedMapAndGoesOn(t *testing.T) {
	const budget = 6
	// Two threads in the children whatever the environment says, so the
	// handlers run in parallel and the runtime can catch them.
	t.Setenv("GOMAXPROCS", "2")
	for _, tt := range []struct {
		variant string
		races   bool
	}{{"locked", false}, {"unlocked", true}} {
		t.Run(tt.variant, func(t *testing.T) {
			out := t.TempDir()
			rep, err := Run(context.Background(), Config{Model: "racemap", Variant: tt.variant, Seed: 1, MaxScenarios: budget,
				Workers: 1, Out: out, Isolate: true, IsolateTimeout: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Scenarios != budget || rep.RaceRuns != budget || len(rep.Findings) != 0 {
				t.Fatalf("%d scenarios, %d concurrent runs, %d findings; want %d, %d and none", rep.Scenarios, rep.RaceRuns, len(rep.Findings), budget, budget)
			}
			t.Logf("%d concurrent runs, %s each", rep.RaceRuns, rep.RaceTime/time.Duration(rep.RaceRuns))
			text, err := os.ReadFile(filepath.Join(out, RacesFile))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.races {
				if len(rep.Races) != 0 {
					t.Fatalf("races %v, want none\n%s", rep.Races, text)
				}
				return
			}
			if len(rep.Races) != 1 {
				t.Fatalf("%d distinct races, want 1\n%s", len(rep.Races), text)
			}
			r := rep.Races[0]
			if r.Hits != budget || r.Index != 0 || r.Violation().Invariant != RaceInvariant.Name {
				t.Fatalf("race hit %d times from scenario %d (%s), want every scenario from 0", r.Hits, r.Index, r.Violation().Invariant)
			}
			if k := r.Death.Kind; k != isolate.FatalError && k != isolate.DataRace {
				t.Fatalf("death %s, want a fatal error or a race report", r.Death)
			}
			// Both sides: the goroutine that died in the map, and the
			// other handler (the runtime's dump shows where it was then,
			// a race report where it touched the map).
			handlers := 0
			for _, s := range r.Death.Stacks {
				for _, f := range s.Frames {
					if (f.Func == "campaign.(*sandboxRegistry).handle" || f.Func == "campaign.(*racemapCase).RunConcurrent.func1") && f.File == "race_test.go" {
						handlers++
						break
					}
				}
			}
			if handlers < 2 || r.Death.Site().Func != "campaign.(*sandboxRegistry).handle" {
				t.Fatalf("%d stacks reach the handler, want both sides:\n%s", handlers, r.Death.Report())
			}
			if !strings.Contains(string(text), r.Violation().Message) || !strings.Contains(string(text), "sandboxRegistry).handle (race_test.go:") {
				t.Fatalf("%s lacks the race and its stacks:\n%s", RacesFile, text)
			}
		})
	}
}
