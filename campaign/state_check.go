package campaign

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/shrink"
)

// Bounds of a campaign's numbers, checked on flags and on every state read.
const (
	// MaxShards bounds n in --shard i/n.
	MaxShards = 1_000_000
	// MaxIndex bounds scenario indexes and --max-scenarios: 2^53, the
	// largest integer every JSON reader holds exactly.
	MaxIndex int64 = 1 << 53
	// MaxShrinkBudget bounds the replays of a shrinker per finding, and
	// DefaultShrinkBudget is the budget when a campaign sets none.
	MaxShrinkBudget     = 1_000_000
	DefaultShrinkBudget = 3000
	// MaxWorkers bounds a campaign's workers whatever the caller asks.
	MaxWorkers = 1 << 16
	// maxChunk bounds the chunk size of a state.
	maxChunk = 1 << 20
	// maxText bounds a free-text field of a state (signatures, shrinkers).
	maxText = 4096
)

// check validates a state read from a file, which is untrusted input: a
// hand-edited or foreign state must be refused here, not crash a campaign
// or send a merge's writes outside its directory.
func (s *State) check() error {
	if s.Version != stateVersion {
		return fmt.Errorf("version %d, expected %d", s.Version, stateVersion)
	}
	shard, err := ParseShard(s.Shard)
	if err != nil {
		return err
	}
	switch {
	case s.Chunk <= 0 || s.Chunk > maxChunk:
		return fmt.Errorf("chunk %d, expected 1 to %d", s.Chunk, maxChunk)
	case s.MaxScenarios < 0 || s.MaxScenarios > MaxIndex:
		return fmt.Errorf("max_scenarios %d, expected 0 (no limit) to %d", s.MaxScenarios, MaxIndex)
	case s.ElapsedNS < 0 || s.Sessions < 0 || s.Workers < 0:
		return fmt.Errorf("elapsed_ns %d, sessions %d, workers %d: expected no negative number", s.ElapsedNS, s.Sessions, s.Workers)
	case s.DurationNS < 0:
		return fmt.Errorf("duration_ns %d, expected 0 (no limit) or more", s.DurationNS)
	case s.ShrinkBudget < 0 || s.ShrinkBudget > MaxShrinkBudget:
		return fmt.Errorf("shrink_budget %d, expected 0 (the default) to %d", s.ShrinkBudget, MaxShrinkBudget)
	}
	if err := checkShrinkMode(s.Shrink); err != nil {
		return err
	}
	if len(s.Streams) == 0 {
		return errors.New("streams: none, expected the models and variants the campaign ran")
	}
	seen := map[Stream]bool{}
	for i, ss := range s.Streams {
		if ss == nil {
			return fmt.Errorf("streams[%d]: null, expected a model and variant", i)
		}
		st := Stream{ss.Model, ss.Variant}
		if err := checkStream(st); err != nil {
			return fmt.Errorf("streams[%d]: %v", i, err)
		}
		if seen[st] {
			return fmt.Errorf("streams[%d]: %s listed twice", i, st)
		}
		seen[st] = true
		if ss.BusyNS < 0 {
			return fmt.Errorf("stream %s: busy_ns %d, expected 0 or more", st, ss.BusyNS)
		}
		if err := ss.Done.check(); err != nil {
			return fmt.Errorf("stream %s: %v", st, err)
		}
		if err := ss.Done.inShard(shard, int64(s.Chunk)); err != nil {
			return fmt.Errorf("stream %s: %v", st, err)
		}
	}
	sigs, files := map[string]bool{}, map[string]string{}
	for i, f := range s.Findings {
		if f == nil {
			return fmt.Errorf("findings[%d]: null, expected a finding", i)
		}
		if err := f.check(s.Seed, seen); err != nil {
			return fmt.Errorf("finding %d (%q): %v", i, f.Signature, err)
		}
		if sigs[f.Signature] {
			return fmt.Errorf("finding %d: signature %q listed twice", i, f.Signature)
		}
		sigs[f.Signature] = true
		if other, ok := files[f.File]; ok && f.File != "" {
			return fmt.Errorf("finding %d (%q): file %q is also the file of %q", i, f.Signature, f.File, other)
		}
		files[f.File] = f.Signature
	}
	return nil
}

// checkStream refuses a model or variant faultsim does not know.
func checkStream(st Stream) error {
	m, err := scenarios.LookupModel(st.Model)
	if err != nil {
		return err
	}
	_, err = m.Variant(st.Variant)
	return err
}

// checkShrinkMode refuses an unknown shrink mode ("" is the default).
func checkShrinkMode(mode shrink.Mode) error {
	switch mode {
	case "", shrink.ModeBest, shrink.ModeChoices, shrink.ModeRapid, shrink.ModeGreedy, shrink.ModeNone:
		return nil
	}
	return fmt.Errorf("shrink %q: expected best, choices, greedy or none (rapid: the former name of choices)", mode)
}

// check validates a finding of a state of the given seed and streams.
func (f *FindingState) check(seed uint64, streams map[Stream]bool) error {
	st := f.Stream()
	if !streams[st] {
		return fmt.Errorf("stream %s is not among the state's streams", st)
	}
	if m, _ := scenarios.LookupModel(f.Model); !m.HasInvariant(f.Invariant) {
		return fmt.Errorf("invariant %q: expected one of %s", f.Invariant, strings.Join(m.InvariantNames(), ", "))
	}
	base := st.String() + "/" + f.Invariant
	if site, ok := strings.CutPrefix(f.Signature, base+"@"); !(f.Signature == base || ok && site != "") {
		return fmt.Errorf("signature: expected %s or %s@SITE", base, base)
	}
	for _, t := range []struct{ field, text string }{{"signature", f.Signature}, {"shrinker", f.Shrinker}} {
		if err := checkText(t.text); err != nil {
			return fmt.Errorf("%s: %v", t.field, err)
		}
	}
	switch {
	case f.Index < 0 || f.Index >= MaxIndex:
		return fmt.Errorf("index %d, expected 0 to %d", f.Index, MaxIndex-1)
	case f.CaseSeed != caseSeed(seed, f.Index):
		return fmt.Errorf("case_seed %d is not the seed of scenario %d of campaign seed %d (%d)", f.CaseSeed, f.Index, seed, caseSeed(seed, f.Index))
	case f.Hits < 0 || f.FoundAfterNS < 0 || f.SizeBefore < 0 || f.SizeAfter < 0 || f.ShrinkRuns < 0:
		return fmt.Errorf("hits %d, found_after_ns %d, size_before %d, size_after %d, shrink_runs %d: expected no negative number",
			f.Hits, f.FoundAfterNS, f.SizeBefore, f.SizeAfter, f.ShrinkRuns)
	}
	if f.File == "" {
		return nil // found, not yet written: a resumed campaign shrinks it
	}
	if err := CheckName(f.File); err != nil {
		return fmt.Errorf("file: %v", err)
	}
	if !strings.HasSuffix(f.File, ".yaml") {
		return fmt.Errorf("file %q: expected a .yaml scenario file", f.File)
	}
	return nil
}

// CheckName refuses a file name read from a state or a merge input that is
// not a plain base name: empty, "." or "..", with a path separator, a NUL
// or another control character, or longer than a file name can be. Such a
// name would read or write outside the campaign's directory.
func CheckName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("%q: expected a file name, not a path", name)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("%q: expected a plain file name, without a path separator", name)
	case len(name) > 255:
		return fmt.Errorf("%q: longer than 255 bytes", name)
	}
	return checkText(name)
}

// checkText refuses text holding control characters (NUL, line breaks,
// escapes) or longer than maxText bytes.
func checkText(s string) error {
	if len(s) > maxText {
		return fmt.Errorf("%d bytes, expected at most %d", len(s), maxText)
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }); i >= 0 {
		return fmt.Errorf("%q: control character at byte %d", s, i)
	}
	return nil
}

// checkConfig refuses a campaign configuration out of bounds.
func checkConfig(cfg Config) error {
	switch {
	case cfg.MaxScenarios < 0 || int64(cfg.MaxScenarios) > MaxIndex:
		return fmt.Errorf("campaign: max scenarios %d, expected 0 (no limit) to %d", cfg.MaxScenarios, MaxIndex)
	case cfg.Workers > MaxWorkers:
		return fmt.Errorf("campaign: %d workers, expected at most %d", cfg.Workers, MaxWorkers)
	case cfg.ShrinkBudget < 0 || cfg.ShrinkBudget > MaxShrinkBudget:
		return fmt.Errorf("campaign: shrink budget %d, expected 0 (the default) to %d", cfg.ShrinkBudget, MaxShrinkBudget)
	case cfg.Duration < 0:
		return fmt.Errorf("campaign: duration %s, expected 0 (no limit) or more", cfg.Duration)
	case cfg.Shard.Count > MaxShards || cfg.Shard.Count > 0 && (cfg.Shard.Index < 0 || cfg.Shard.Index >= cfg.Shard.Count):
		return fmt.Errorf("campaign: shard %d/%d, expected i/n with 0 <= i < n <= %d", cfg.Shard.Index, cfg.Shard.Count, MaxShards)
	}
	return checkShrinkMode(cfg.Shrink)
}

// restoreShrink gives a resumed campaign the shrink settings its state
// recorded, so its findings are those of an uninterrupted run; settings
// the caller gives must agree with them.
func restoreShrink(cfg *Config, st *State) error {
	if st.Shrink != "" {
		if cfg.Shrink != "" && cfg.Shrink != st.Shrink {
			return fmt.Errorf("campaign: shrink %s, but the resumed campaign shrinks with %s: its findings would not be an uninterrupted run's", cfg.Shrink, st.Shrink)
		}
		cfg.Shrink = st.Shrink
	}
	if st.ShrinkBudget != 0 {
		if cfg.ShrinkBudget != 0 && cfg.ShrinkBudget != st.ShrinkBudget {
			return fmt.Errorf("campaign: shrink budget %d, but the resumed campaign's is %d: its findings would not be an uninterrupted run's", cfg.ShrinkBudget, st.ShrinkBudget)
		}
		cfg.ShrinkBudget = st.ShrinkBudget
	}
	return nil
}
