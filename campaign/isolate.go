package campaign

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/faultsim/faultsim/internal/atomicfile"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/isolate"
)

// Concurrent is implemented by a case whose request handlers share memory:
// RunConcurrent runs them as real goroutines, at once, as the daemon or
// shim does. In race mode (Config.Isolate) it runs in a child process
// after the deterministic run, so Go's fatal "concurrent map read and map
// write" or a race report ends the child, not the campaign.
type Concurrent interface {
	RunConcurrent(ch sim.Chooser) error
}

// RaceInvariant is broken when a case's concurrent run dies (race mode).
var RaceInvariant = sim.Invariant{Name: "shared-memory-race",
	Summary: "request handlers that share memory never race: no fatal concurrent map access, race report, unrecovered panic or hang (race mode)"}

// RacesFile lists the races a campaign session found in race mode, each
// with both stacks; every session rewrites it (the state does not keep
// races). Races depend on the real scheduler, so they are reported here
// rather than written as scenario files that must replay.
const RacesFile = "races.txt"

// concurrentFunc is the function the child runs: a case's RunConcurrent.
const concurrentFunc = "campaign.run-concurrent"

func init() { isolate.Handle(concurrentFunc, runConcurrent) }

// concurrentRequest names the case a child runs: the generator's seed.
type concurrentRequest struct {
	Model, Variant string
	Seed           uint64
}

// runConcurrent runs in the child: it draws the case as the campaign did
// and runs its handlers concurrently.
func runConcurrent(arg []byte) error {
	var req concurrentRequest
	if err := json.Unmarshal(arg, &req); err != nil {
		return fmt.Errorf("race mode: %w", err)
	}
	m, err := scenarios.LookupModel(req.Model)
	if err != nil {
		return err
	}
	cs, ok := m.Generate(newCaseChooser(req.Seed), req.Variant).(Concurrent)
	if !ok {
		return fmt.Errorf("race mode: model %s has no concurrent run", req.Model)
	}
	return cs.RunConcurrent(sim.NewPRNG(req.Seed))
}

// Race is one distinct death of a concurrent run: where, how often, and
// the first scenario that had it.
type Race struct {
	Stream Stream
	Index  int64 // the first scenario that had it, from 0
	Seed   uint64
	Hits   int64
	Death  *isolate.Death // of the first scenario that had it
}

// Violation is the race as a violation: the death's summary at its site.
func (r *Race) Violation() sim.Violation {
	site := r.Death.Site().Site
	return sim.Violation{Invariant: RaceInvariant.Name, Message: r.Death.String(), Site: &site}
}

// raceRunner is a worker's child process in race mode.
type raceRunner struct {
	child isolate.Child
	// busy is the wall time spent in the child, for the cost per scenario.
	busy time.Duration
	runs int64
}

// run runs the case's concurrent handlers in the child when it has any.
func (rr *raceRunner) run(cs any, st Stream, seed uint64) (*isolate.Death, error) {
	if _, ok := cs.(Concurrent); !ok {
		return nil, nil
	}
	arg, _ := json.Marshal(concurrentRequest{st.Model, st.Variant, seed}) // plain fields always marshal
	start := time.Now()
	d, err := rr.child.Run(concurrentFunc, arg)
	rr.busy += time.Since(start)
	rr.runs++
	return d, err
}

// raced records a death of a concurrent run; the campaign goes on.
func (c *session) raced(st Stream, index int64, seed uint64, d *isolate.Death) {
	site := d.Site()
	// One bug per site: the runtime's map check and the race detector
	// may each catch the same unsynchronised access first.
	sig := st.String() + "/" + site.Func
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.races[sig]; r != nil {
		r.Hits++
		if index < r.Index {
			r.Index, r.Seed, r.Death = index, seed, d
		}
		return
	}
	c.races[sig] = &Race{Stream: st, Index: index, Seed: seed, Hits: 1, Death: d}
}

// sortedRaces lists the races by stream, then first index.
func (c *session) sortedRaces() []*Race {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*Race, 0, len(c.races))
	for _, r := range c.races {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Stream != out[j].Stream {
			return out[i].Stream.String() < out[j].Stream.String()
		}
		return out[i].Index < out[j].Index
	})
	return out
}

// writeRaces writes RacesFile: every race with both stacks, or that none
// was found.
func writeRaces(dir string, seed uint64, races []*Race, runs int64, busy time.Duration) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# faultsim race mode, this session: %d concurrent run(s) in child processes", runs)
	if runs > 0 {
		fmt.Fprintf(&b, ", %s each on average", (busy / time.Duration(runs)).Round(time.Microsecond))
	}
	fmt.Fprintf(&b, "; %d distinct race(s)\n", len(races))
	for _, r := range races {
		fmt.Fprintf(&b, "\n## %s\n", r.Stream) // the report begins with the death's summary
		fmt.Fprintf(&b, "campaign seed %d, scenario %d of %s (counted from 1), case seed %d, hit %d time(s)\n",
			seed, r.Index+1, r.Stream, r.Seed, r.Hits)
		b.WriteString(r.Death.Report())
	}
	return atomicfile.Write(filepath.Join(dir, RacesFile), []byte(b.String()))
}
