package campaign

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/faultsim/faultsim/scenarios"
)

// TestDurationCutsShrinksShort: --duration caps the whole session, shrinks
// included. A cgroups campaign (the real library on a simulated tree: a
// shrink takes seconds) with a short duration ends with the shrinks under
// way cut short by the budget: each such finding is written as shrunk so
// far, replays, and says so; a resumed session finishes the shrinks.
func TestDurationCutsShrinksShort(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Streams: []Stream{{"cgroups", "kata-3.12.0"}}, Seed: 3, Duration: 400 * time.Millisecond, Workers: 2, Out: dir}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cut := 0
	for _, f := range rep.Findings {
		if !f.Partial {
			continue
		}
		cut++
		if f.Scenario == nil || !strings.Contains(f.Scenario.Description, "cut short by the --duration budget") {
			t.Errorf("%s: shrink cut short, but its file does not say by what: %+v", f.Signature, f.Scenario)
		}
	}
	if cut == 0 {
		t.Fatalf("no shrink was under way when the %s budget ended (%d findings): expected the cgroups shrinks, which take seconds, to be cut short", cfg.Duration, len(rep.Findings))
	}
	for _, f := range rep.Findings {
		s, err := scenarios.ParseFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if o, err := scenarios.Run(s, false); err != nil || !o.OK {
			t.Fatalf("%s does not replay: %v, got %s", f.Path, err, o.Got)
		}
	}
	saved, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Run(context.Background(), Config{Resume: saved, Out: dir, Workers: 2, MaxScenarios: int(saved.Streams[0].Done.Count())})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range second.Findings {
		if f.Partial {
			t.Errorf("%s: still cut short after a resumed session without a time budget", f.Signature)
		}
	}
}
