package campaign

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/shrink"
)

// Stream is one model and variant a campaign searches.
type Stream struct{ Model, Variant string }

// String renders the stream as model/variant.
func (s Stream) String() string { return s.Model + "/" + s.Variant }

// DefaultChunk is how many consecutive scenario indexes make a chunk, the
// unit a worker takes and a shard owns.
const DefaultChunk = 256

// Config says what a campaign runs.
type Config struct {
	// Streams are the models and variants to search, round-robin by chunk.
	// When empty, Model and Variant name the one stream.
	Streams        []Stream
	Model, Variant string
	Seed           uint64
	// Duration caps this session's wall time, shrinks included (0: no
	// cap): at Duration the search stops and every shrink under way is
	// cut short, its finding written as shrunk so far and marked so
	// (--resume finishes it). From Duration-ShrinkTime on, the search
	// stops while a finding is being shrunk, so the time left goes to
	// shrinking (ShrinkTime 0: the search runs to Duration).
	Duration     time.Duration
	ShrinkTime   time.Duration
	MaxScenarios int   // per stream, counting resumed ones (0: none)
	Workers      int   // 0: runtime.NumCPU()
	Shard        Shard // zero: the whole seed space
	// Out is where findings, the state file and the reports are written
	// (empty: nothing is written). Unless the campaign resumes, an Out
	// holding another campaign is refused (*OutInUseError), or with
	// Replace that campaign's files are removed first.
	Out     string
	Replace bool
	// Resume continues the campaign of this state (LoadState): its seed,
	// shard, chunk size, streams and shrink settings are used, and no index
	// it ran runs again. With Out, the state is read again from Out once
	// the campaign holds Out's lock, as another process may have continued
	// the campaign since Resume was read.
	Resume *State
	// Shrink is the shrink mode (empty: shrink.ModeBest, or the resumed
	// campaign's); ShrinkBudget bounds the replays of each shrinker per
	// finding (0: DefaultShrinkBudget, or the resumed campaign's).
	Shrink       shrink.Mode
	ShrinkBudget int
	// Keep, when set, restricts the campaign to the cases it keeps (a
	// node constraint such as "no nft"): a drawn case it refuses is
	// counted as run but not run, and a shrink keeps only kept cases.
	Keep func(models.Case) bool
	// Progress, when set, is called about every ProgressInterval (default
	// 1s) from one goroutine.
	Progress         func(Progress)
	ProgressInterval time.Duration
	// Isolate is race mode: after its deterministic run, each scenario
	// whose case is Concurrent runs its handlers as real goroutines in a
	// child process (one per worker); a child that dies is a Race, with
	// both stacks, and the campaign goes on with a new child.
	// IsolateTimeout bounds one concurrent run (0: isolate.DefaultTimeout).
	Isolate        bool
	IsolateTimeout time.Duration
}

// Finding is one distinct failure a campaign found.
type Finding struct {
	FindingState
	Scenario *scenarios.Scenario
	// Path is where the scenario was written ("" without Out).
	Path string
	// FirstAt is the number of scenarios up to and including the first
	// (lowest index) that hit it; FirstAfter the wall time to the first hit.
	FirstAt    int64
	FirstAfter time.Duration
}

// Report is what a campaign did.
type Report struct {
	Model, Variant string // the first stream
	// Scenarios and Elapsed are this session's.
	Scenarios   int64
	Elapsed     time.Duration
	Workers     int
	Findings    []*Finding
	State       *State
	Interrupted bool
	// Unfinished: the campaign has a budget in scenarios (MaxScenarios)
	// that it has not run to the end (its time budget ended first).
	Unfinished bool
	// Races are what race mode found (Config.Isolate); RaceRuns the
	// concurrent runs and RaceTime the wall time they took, in all.
	Races    []*Race
	RaceRuns int64
	RaceTime time.Duration
}

// Rate is scenarios per second in this session.
func (r Report) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Scenarios) / r.Elapsed.Seconds()
}

// caseSeed derives the seed of the i-th scenario of a campaign (SplitMix64),
// so any scenario can be regenerated from the campaign seed and its index;
// every stream uses the same seeds, so variants see the same cases.
func caseSeed(seed uint64, i int64) uint64 {
	z := seed + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Run generates scenarios from the seed, runs them on Workers
// goroutines, and shrinks and writes every distinct failure once. The set of
// scenarios and what they find depend only on the seed, the streams, the
// shard and the budget in scenarios, never on the number of workers. It
// stops at the budget or when ctx is cancelled (an interrupt: shrinks in
// progress are cut short and written as they are), saves its state and
// reports, and returns what it found so far.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Out != "" {
		lock, err := lockCampaign(&cfg)
		if err != nil {
			return Report{}, err
		}
		defer lock.Release()
		if cfg.Resume == nil {
			if err := claimOut(cfg.Out, cfg.Replace); err != nil {
				return Report{}, err
			}
		}
	}
	c, err := newSession(cfg)
	if err != nil {
		return Report{}, err
	}
	rep, err := c.run(ctx)
	return rep, errors.Join(err, c.idleModels())
}

// idleModels lets the campaign's models release what their cases kept for
// the next one (models.Release: each model's Idle, and the node's), so a
// finished campaign holds nothing.
// It runs once every worker and shrink has returned.
func (c *session) idleModels() error {
	var ms []*models.Model
	seen := map[string]bool{}
	for _, ss := range c.state.Streams {
		if seen[ss.Model] {
			continue
		}
		seen[ss.Model] = true
		if m, err := scenarios.LookupModel(ss.Model); err == nil {
			ms = append(ms, m)
		}
	}
	return models.Release(ms...)
}

// session is one session of a campaign: the run of one process, which
// --resume continues in another.
type session struct {
	cfg     Config
	streams []Stream
	models  []*models.Model
	sched   *scheduler
	workers int
	budget  int
	offset  time.Duration // earlier sessions' wall time
	start   time.Time

	stop     atomic.Bool // no new scenarios: budget, interrupt or error
	abort    atomic.Bool // interrupt or the end of Duration: cut shrinks short
	reserved atomic.Bool // in the last ShrinkTime: a shrink stops the search
	// cutBy says what cut shrinks short (set before abort).
	cutBy atomic.Value
	ran   atomic.Int64

	shrinks   sync.WaitGroup // background shrinks
	mu        sync.Mutex     // guards state, shrinking, scen, err
	state     *State
	shrinking map[string]bool
	scen      map[string]*scenarios.Scenario
	err       error
	saveMu    sync.Mutex // orders state file writes
	races     map[string]*Race
	raceRuns  atomic.Int64
	raceBusy  atomic.Int64 // nanoseconds
}

// RunStreams are the streams a campaign of cfg runs: the resumed state's,
// else Streams, else the one of Model and Variant.
func (cfg Config) RunStreams() []Stream {
	if cfg.Resume != nil {
		streams := make([]Stream, len(cfg.Resume.Streams))
		for i, ss := range cfg.Resume.Streams {
			streams[i] = Stream{ss.Model, ss.Variant}
		}
		return streams
	}
	if len(cfg.Streams) > 0 {
		return cfg.Streams
	}
	return []Stream{{cfg.Model, cfg.Variant}}
}

func newSession(cfg Config) (*session, error) {
	st := &State{Version: stateVersion, Seed: cfg.Seed, Shard: cfg.Shard.String(), Chunk: DefaultChunk}
	streams := cfg.RunStreams()
	if cfg.Resume != nil {
		if err := cfg.Resume.check(); err != nil {
			return nil, fmt.Errorf("campaign: resumed state: %v", err)
		}
		st = cfg.Resume.Clone()
		if err := restoreShrink(&cfg, st); err != nil {
			return nil, err
		}
	}
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	if cfg.MaxScenarios > 0 {
		st.MaxScenarios = int64(cfg.MaxScenarios)
	}
	shard, err := ParseShard(st.Shard)
	if err != nil {
		return nil, err
	}
	c := &session{cfg: cfg, state: st, shrinking: map[string]bool{}, scen: map[string]*scenarios.Scenario{}, races: map[string]*Race{}}
	for _, s := range streams {
		if err := checkStream(s); err != nil {
			return nil, err
		}
		m, _ := scenarios.LookupModel(s.Model)
		st.stream(s)
		c.streams = append(c.streams, s)
		c.models = append(c.models, m)
	}
	if len(c.streams) == 0 {
		return nil, errors.New("campaign: no model and variant to fuzz")
	}
	c.workers = cfg.Workers
	if c.workers <= 0 {
		c.workers = runtime.NumCPU()
	}
	c.budget = cfg.ShrinkBudget
	if c.budget <= 0 {
		c.budget = DefaultShrinkBudget
	}
	if c.cfg.Shrink == "" {
		c.cfg.Shrink = shrink.ModeBest
	}
	st.Shrink, st.ShrinkBudget, st.DurationNS = c.cfg.Shrink, c.budget, int64(cfg.Duration)
	if c.cfg.ProgressInterval <= 0 {
		c.cfg.ProgressInterval = time.Second
	}
	c.offset = st.Elapsed()
	c.sched = newScheduler(c.streams, st, shard)
	return c, nil
}

func (c *session) run(ctx context.Context) (Report, error) {
	c.start = time.Now()
	if ctx.Err() != nil { // interrupted before it began: run nothing
		c.cut("an interrupt")
	}
	c.state.Sessions++
	c.state.Workers = c.workers
	if c.cfg.Out != "" {
		if err := c.save(); err != nil {
			return Report{}, err
		}
	}
	// Watchers: the budget, an interrupt, and progress with periodic saves.
	done := make(chan struct{})
	var watchers sync.WaitGroup
	watchers.Add(1)
	go func() {
		defer watchers.Done()
		c.watch(ctx, done)
	}()
	// A resumed campaign first finishes the shrinks an interrupt or an
	// error cut short, and writes findings that were saved before their
	// shrink began (no file yet).
	c.mu.Lock()
	var partial []string
	for _, f := range c.state.Findings {
		if f.Partial || f.File == "" {
			partial = append(partial, f.Signature)
			c.shrinking[f.Signature] = true
		}
	}
	c.mu.Unlock()
	for _, sig := range partial {
		c.shrinks.Add(1)
		go func() {
			defer c.shrinks.Done()
			c.shrinkLoop(sig)
		}()
	}
	var workers sync.WaitGroup
	for range c.workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			c.worker()
		}()
	}
	workers.Wait()
	c.shrinks.Wait()
	close(done)
	watchers.Wait()

	elapsed := time.Since(c.start)
	c.mu.Lock()
	c.state.ElapsedNS = int64(c.offset + elapsed)
	c.state.sortFindings()
	err := c.err
	c.mu.Unlock()
	rep := c.report(elapsed, ctx.Err() != nil)
	rep.Unfinished = !rep.Interrupted && rep.State.Unfinished()
	if c.cfg.Out != "" {
		if serr := c.save(); serr != nil && err == nil {
			err = serr
		}
		if werr := WriteReports(c.cfg.Out, rep.State); werr != nil && err == nil {
			err = werr
		}
		if c.cfg.Isolate {
			if werr := writeRaces(c.cfg.Out, c.state.Seed, rep.Races, rep.RaceRuns, rep.RaceTime); werr != nil && err == nil {
				err = werr
			}
		}
	}
	return rep, err
}

// fail records the first error and stops the campaign.
func (c *session) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	c.stop.Store(true)
}

// save writes a snapshot of the state; writes never overtake each other.
func (c *session) save() error {
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	c.mu.Lock()
	c.state.ElapsedNS = int64(c.offset + time.Since(c.start))
	snap := c.state.Clone()
	c.mu.Unlock()
	snap.sortFindings()
	return snap.Save(c.cfg.Out)
}

// report builds the campaign's report from its final state.
func (c *session) report(elapsed time.Duration, interrupted bool) Report {
	races := c.sortedRaces()
	c.mu.Lock()
	defer c.mu.Unlock()
	rep := Report{Model: c.streams[0].Model, Variant: c.streams[0].Variant, Scenarios: c.ran.Load(),
		Elapsed: elapsed, Workers: c.workers, State: c.state.Clone(), Interrupted: interrupted}
	for _, f := range rep.State.Findings {
		fd := &Finding{FindingState: *f, Scenario: c.scen[f.Signature], FirstAt: f.Index + 1, FirstAfter: time.Duration(f.FoundAfterNS)}
		if c.cfg.Out != "" && f.File != "" {
			fd.Path = filepath.Join(c.cfg.Out, f.File)
			if fd.Scenario == nil {
				fd.Scenario, _ = scenarios.ParseFile(fd.Path)
			}
		}
		rep.Findings = append(rep.Findings, fd)
	}
	rep.Races = races
	rep.RaceRuns, rep.RaceTime = c.raceRuns.Load(), time.Duration(c.raceBusy.Load())
	return rep
}
