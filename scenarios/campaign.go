package scenarios

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// CampaignConfig says what a campaign runs.
type CampaignConfig struct {
	Model        string
	Variant      string
	Seed         uint64
	Duration     time.Duration // wall-clock budget (0: no limit)
	MaxScenarios int           // 0: no limit
	// Out is where findings are written (empty: not written).
	Out string
	// Progress receives a line every ProgressEvery scenarios (nil: none).
	Progress      io.Writer
	ProgressEvery int
}

// Finding is one distinct failure a campaign found.
type Finding struct {
	Signature string
	Scenario  *Scenario
	Path      string
	Hits      int
	// FirstAt is how many scenarios had run when it was first found.
	FirstAt int
	// FirstAfter is the wall time to its first hit.
	FirstAfter time.Duration
	// ShrinkRuns is how many replays shrinking took; Before/After are sizes.
	ShrinkRuns, SizeBefore, SizeAfter int
}

// CampaignReport is what a campaign did.
type CampaignReport struct {
	Model     string
	Variant   string
	Scenarios int
	Elapsed   time.Duration
	Findings  []*Finding
}

// Rate is scenarios per second.
func (r CampaignReport) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Scenarios) / r.Elapsed.Seconds()
}

// caseSeed derives the seed of the i-th scenario of a campaign (SplitMix64),
// so any scenario can be regenerated from the campaign seed and its index.
func caseSeed(seed uint64, i int) uint64 {
	z := seed + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// signature identifies a failure for de-duplication: variant, invariant and,
// for a crash, the function it crashed in. The source line is left out so the
// same crash found by two builds of faultsim (shards, resumed campaigns) is one.
func signature(variant string, v sim.Violation) string {
	sig := variant + "/" + v.Invariant
	if v.Invariant == sim.CrashInvariant.Name {
		if i := strings.LastIndex(v.Message, " at "); i >= 0 {
			site := v.Message[i+4:]
			if j := strings.LastIndex(site, " ("); j >= 0 {
				site = site[:j]
			}
			sig += "@" + site
		}
	}
	return sig
}

// Campaign draws scenarios from a seeded PRNG, runs each, and shrinks and
// writes every distinct failure once. It stops at the budget or when ctx is
// cancelled, and always returns what it found so far.
func Campaign(ctx context.Context, cfg CampaignConfig) (CampaignReport, error) {
	model, err := LookupModel(cfg.Model)
	if err != nil {
		return CampaignReport{}, err
	}
	if _, err := model.Variant(cfg.Variant); err != nil {
		return CampaignReport{}, err
	}
	if cfg.ProgressEvery == 0 {
		cfg.ProgressEvery = 100000
	}
	rep := CampaignReport{Model: cfg.Model, Variant: cfg.Variant}
	bySig := map[string]*Finding{}
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	for i := 0; ; i++ {
		if cfg.MaxScenarios > 0 && i >= cfg.MaxScenarios {
			break
		}
		// Checked every 8 scenarios: filesystem-backed models run tens of
		// scenarios a second, so a coarser check overshoots the budget.
		if i%8 == 0 {
			if ctx.Err() != nil || (cfg.Duration > 0 && time.Now().After(deadline)) {
				break
			}
		}
		seed := caseSeed(cfg.Seed, i)
		c := model.Generate(sim.NewPRNG(seed), cfg.Variant)
		r, err := c.Run(sim.NewPRNG(seed), false)
		if err != nil {
			return rep, err
		}
		rep.Scenarios++
		if cfg.Progress != nil && rep.Scenarios%cfg.ProgressEvery == 0 {
			el := time.Since(start)
			fmt.Fprintf(cfg.Progress, "  %s: %d scenarios, %.0f/s, %d findings, %s elapsed\n",
				cfg.Variant, rep.Scenarios, float64(rep.Scenarios)/el.Seconds(), len(rep.Findings), el.Round(time.Second))
		}
		// Every distinct failure counts, not only the first of a scenario: a
		// scenario that breaks two invariants is two findings.
		for _, v := range r.Violations {
			sig := signature(cfg.Model+"/"+cfg.Variant, v)
			if f := bySig[sig]; f != nil {
				f.Hits++
				continue
			}
			f, err := newFinding(cfg, c, seed, i, v)
			if err != nil {
				return rep, err
			}
			f.Signature, f.FirstAt, f.FirstAfter = sig, rep.Scenarios, time.Since(start)
			bySig[sig] = f
			rep.Findings = append(rep.Findings, f)
		}
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// newFinding shrinks a failing case for one violation and writes it.
func newFinding(cfg CampaignConfig, c models.Case, seed uint64, i int, v sim.Violation) (*Finding, error) {
	min, runs := Shrink(c, seed, v.Invariant)
	if mr, err := min.Run(sim.NewPRNG(seed), false); err == nil {
		for _, mv := range mr.Violations {
			if mv.Invariant == v.Invariant {
				v = mv // describe the minimal case, not the original
			}
		}
	}
	s := &Scenario{
		Name:        fmt.Sprintf("%s-%s-%016x", cfg.Variant, v.Invariant, seed),
		Description: fmt.Sprintf("Found by faultsim fuzz --model %s --variant %s --seed %d (scenario %d), shrunk from size %d to %d.\n%s", cfg.Model, cfg.Variant, cfg.Seed, i, c.Size(), min.Size(), v),
		Model:       cfg.Model, Variant: cfg.Variant, Seed: seed, Case: min, Expect: Expect{Violation: v.Invariant},
	}
	f := &Finding{Scenario: s, Hits: 1, ShrinkRuns: runs, SizeBefore: c.Size(), SizeAfter: min.Size()}
	if cfg.Out != "" {
		f.Path = filepath.Join(cfg.Out, s.Name+".yaml")
		if err := WriteFile(f.Path, s); err != nil {
			return nil, err
		}
	}
	return f, nil
}
