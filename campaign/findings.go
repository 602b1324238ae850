package campaign

import (
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strings"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/shrink"
	"github.com/faultsim/faultsim/sim"
)

// shrinkLoop shrinks and writes a finding's representative case until it
// is still the representative when written.
func (c *session) shrinkLoop(sig string) {
	for {
		c.mu.Lock()
		f := c.state.finding(sig)
		index, seed, st := f.Index, f.CaseSeed, f.Stream()
		c.mu.Unlock()
		res, err := c.shrink(st, index, seed, sig)
		c.mu.Lock()
		if err != nil {
			c.shrinking[sig] = false
			c.mu.Unlock()
			c.fail(err)
			return
		}
		if f.Index == index {
			f.File, f.SizeBefore, f.SizeAfter, f.ShrinkRuns, f.Shrinker, f.Partial, f.Faults =
				res.file, res.before, res.after, res.runs, res.how, res.partial, res.faults
			c.scen[sig] = res.scenario
			c.shrinking[sig] = false
			c.mu.Unlock()
			// Saved at once, so the finding survives a kill; after an
			// interrupt the campaign's last save is moments away.
			if c.cfg.Out != "" && !c.abort.Load() {
				if err := c.save(); err != nil {
					c.fail(err)
				}
			}
			return
		}
		c.mu.Unlock() // a lower index arrived meanwhile: shrink that one
	}
}

type shrunk struct {
	scenario      *scenarios.Scenario
	faults        []string
	file          string
	before, after int
	runs          int
	how           string
	partial       bool
}

// shrink minimises the case of seed for the signature and writes it.
func (c *session) shrink(st Stream, index int64, seed uint64, sig string) (shrunk, error) {
	m := c.models[c.streamIndex(st)]
	orig := m.Generate(newCaseChooser(seed), st.Variant)
	match := func(cs models.Case) (sim.Violation, bool) {
		if c.cfg.Keep != nil && !c.cfg.Keep(cs) {
			return sim.Violation{}, false
		}
		r, err := cs.Run(sim.NewPRNG(seed), false)
		if err != nil {
			return sim.Violation{}, false
		}
		for _, v := range r.Violations {
			if signature(st.String(), v) == sig {
				return v, true
			}
		}
		return sim.Violation{}, false
	}
	fails := func(cs models.Case) bool { _, ok := match(cs); return ok }
	min, runs, how := shrink.Minimise(c.cfg.Shrink, m, st.Variant, newCaseChooser(seed), orig, fails, c.budget, &c.abort)
	v, ok := match(min)
	if !ok {
		return shrunk{}, fmt.Errorf("internal error: %s scenario %d no longer fails after shrinking", st, index)
	}
	res := shrunk{file: findingName(sig) + ".yaml", before: orig.Size(), after: min.Size(), runs: runs, how: how, partial: c.abort.Load()}
	if fl, ok := min.(models.FaultLister); ok {
		res.faults = fl.FaultNames()
	}
	res.scenario = &scenarios.Scenario{
		Name:        findingName(sig),
		Description: describe(st, c.state.Seed, index, res.before, res.after, how, c.cutReason(), res.partial, v),
		Model:       st.Model, Variant: st.Variant, Seed: seed, Case: min, Expect: scenarios.Expect{Violation: v.Invariant},
	}
	if vr, err := m.Variant(st.Variant); err == nil {
		res.scenario.Origin = vr.Origin // a registered implementation's file says where it lives
	}
	if c.cfg.Out != "" {
		res.scenario.Path = filepath.Join(c.cfg.Out, res.file)
	}
	if err := scenarios.WriteFinding(res.scenario.Path, res.scenario); err != nil {
		return shrunk{}, err
	}
	return res, nil
}

func (c *session) streamIndex(st Stream) int {
	for i, s := range c.streams {
		if s == st {
			return i
		}
	}
	panic("unknown stream " + st.String())
}

// findingName is the file name (without .yaml) of a signature: readable,
// and unique through a short hash of the whole signature.
func findingName(sig string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(sig) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.'
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	h := fnv.New32a()
	h.Write([]byte(sig))
	name := strings.NewReplacer(".-", "-", "-.", "-").Replace(strings.TrimSuffix(b.String(), "-"))
	return fmt.Sprintf("%s-%06x", name, h.Sum32()&0xffffff)
}

// signature identifies a failure for de-duplication: variant, invariant and,
// for a crash, the function it crashed in. The source line is left out so the
// same crash found by two builds of faultsim (shards, resumed campaigns) is one.
func signature(variant string, v sim.Violation) string {
	sig := variant + "/" + v.Invariant
	if v.Site != nil {
		sig += "@" + v.Site.Func
	}
	return sig
}

// describe is the description of a finding's scenario file. It numbers
// the scenario from 1 within its model and variant (index + 1), as the
// summaries and the progress lines do.
func describe(st Stream, seed uint64, index int64, sizeBefore, sizeAfter int, shrinker, cutBy string, partial bool, v sim.Violation) string {
	how := fmt.Sprintf("shrunk from size %d to %d (%s)", sizeBefore, sizeAfter, shrinker)
	if partial {
		how += ", shrinking cut short by " + cutBy + " (faultsim fuzz --resume finishes it)"
	}
	by := fmt.Sprintf("faultsim fuzz --model %s --variant %s --seed %d", st.Model, st.Variant, seed)
	if m, err := scenarios.LookupModel(st.Model); err == nil {
		if vr, err := m.Variant(st.Variant); err == nil && vr.Origin != nil {
			by = fmt.Sprintf("a campaign with seed %d in %s", seed, vr.Origin.Command())
		}
	}
	return fmt.Sprintf("Found by %s (scenario %d of %s/%s, counted from 1), %s.\n%s",
		by, index+1, st.Model, st.Variant, how, v)
}
