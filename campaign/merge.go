package campaign

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/faultsim/faultsim/internal/atomicfile"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/shrink"
)

// Merge unions the output directories of campaigns with one seed (the
// shards of a campaign, or campaigns run apart) into out: every stream's
// done indexes (an index that two inputs ran is an error: the shards were
// not disjoint), and every distinct finding once, represented by its lowest
// scenario index (whose file is copied) with the hits of all inputs summed.
// The merged campaign is the whole seed space's (shard 0/1), so --resume on
// out runs whatever no input ran. It holds out's lock (LockOut) while it
// writes out's findings, state and reports. Inputs are untrusted: their
// states are checked (LoadState) and a finding's file must be a regular
// file holding a scenario of its stream.
// An out that holds another campaign is refused (*OutInUseError).
func Merge(out string, dirs ...string) (*State, error) { return merge(out, false, dirs) }

// MergeReplacing is Merge into an out whose campaign, if any, it replaces:
// the old state, reports and the finding files that state lists are
// removed first.
func MergeReplacing(out string, dirs ...string) (*State, error) { return merge(out, true, dirs) }

func merge(out string, replace bool, dirs []string) (*State, error) {
	if len(dirs) == 0 {
		return nil, errors.New("merge: no campaign directories given")
	}
	for _, dir := range dirs {
		if sameDir(out, dir) {
			return nil, fmt.Errorf("merge: --out %s is also an input: expected a directory of its own", out)
		}
	}
	lock, err := LockOut(out)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	if err := atomicfile.Sweep(out); err != nil {
		return nil, err
	}
	if err := claimOut(out, replace); err != nil {
		return nil, err
	}
	var merged *State
	from := map[string]string{} // signature -> directory of its representative
	for _, dir := range dirs {
		st, err := LoadState(dir)
		if err != nil {
			return nil, err
		}
		if merged == nil {
			merged = &State{Version: stateVersion, Seed: st.Seed, Shard: "0/1", Chunk: st.Chunk, MaxScenarios: st.MaxScenarios,
				Shrink: st.Shrink, ShrinkBudget: st.ShrinkBudget}
		}
		if st.Seed != merged.Seed {
			return nil, fmt.Errorf("merge: %s has seed %d, %s has %d: expected one campaign seed", dir, st.Seed, dirs[0], merged.Seed)
		}
		if st.Chunk != merged.Chunk {
			return nil, fmt.Errorf("merge: %s has chunk %d, %s has %d: expected one campaign's chunks", dir, st.Chunk, dirs[0], merged.Chunk)
		}
		if st.shrinkMode() != merged.shrinkMode() || st.shrinkBudget() != merged.shrinkBudget() {
			return nil, fmt.Errorf("merge: %s shrinks with %s (budget %d), %s with %s (budget %d): expected one campaign's findings",
				dir, st.shrinkMode(), st.shrinkBudget(), dirs[0], merged.shrinkMode(), merged.shrinkBudget())
		}
		merged.ElapsedNS = max(merged.ElapsedNS, st.ElapsedNS)
		merged.MaxScenarios = max(merged.MaxScenarios, st.MaxScenarios)
		merged.DurationNS = max(merged.DurationNS, st.DurationNS)
		merged.Sessions += st.Sessions
		merged.Workers += st.Workers
		for _, ss := range st.Streams {
			ms := merged.stream(Stream{ss.Model, ss.Variant})
			if overlap := ms.Done.AddAll(ss.Done); overlap > 0 {
				return nil, fmt.Errorf("merge: %s ran %d scenario(s) of %s/%s that an earlier directory also ran: expected disjoint shards", dir, overlap, ss.Model, ss.Variant)
			}
			ms.BusyNS += ss.BusyNS
		}
		for _, f := range st.Findings {
			mf := merged.finding(f.Signature)
			if mf == nil {
				c := *f
				merged.Findings = append(merged.Findings, &c)
				from[f.Signature] = dir
				continue
			}
			hits := mf.Hits + f.Hits
			found := min(mf.FoundAfterNS, f.FoundAfterNS)
			if f.Index < mf.Index {
				*mf = *f
				from[f.Signature] = dir
			}
			mf.Hits, mf.FoundAfterNS = hits, found
		}
	}
	merged.sortFindings()
	if err := merged.check(); err != nil {
		return nil, fmt.Errorf("merge: the merged state: %v", err)
	}
	for _, f := range merged.Findings {
		if f.File == "" {
			continue
		}
		data, err := readFinding(from[f.Signature], f)
		if err != nil {
			return nil, fmt.Errorf("merge: finding %s: %v", f.Signature, err)
		}
		if err := atomicfile.Write(filepath.Join(out, f.File), data); err != nil {
			return nil, err
		}
	}
	if err := merged.Save(out); err != nil {
		return nil, err
	}
	return merged, WriteReports(out, merged)
}

// shrinkMode is the state's shrink mode, the default when not recorded.
func (s *State) shrinkMode() shrink.Mode {
	if s.Shrink == "" {
		return shrink.ModeBest
	}
	return s.Shrink
}

// shrinkBudget is the state's shrink budget, the default when not recorded.
func (s *State) shrinkBudget() int {
	if s.ShrinkBudget == 0 {
		return DefaultShrinkBudget
	}
	return s.ShrinkBudget
}

// sameDir reports whether a and b name one existing directory.
func sameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// readFinding reads the file of a finding of a checked state in dir: a
// regular file (not a symlink, which could lead anywhere), at most
// MaxFileSize bytes, holding a scenario of the finding's model and variant.
func readFinding(dir string, f *FindingState) ([]byte, error) {
	path := filepath.Join(dir, f.File)
	fd, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%s is a symbolic link: expected the regular file a campaign writes", path)
	}
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	fi, err := fd.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %v is not a regular file", path, fi.Mode().Type())
	}
	data, err := io.ReadAll(io.LimitReader(fd, scenarios.MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > scenarios.MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes: expected a scenario file", path, scenarios.MaxFileSize)
	}
	s, err := scenarios.Parse(path, data)
	if err != nil {
		return nil, err
	}
	if s.Model != f.Model || s.Variant != f.Variant {
		return nil, fmt.Errorf("%s: a scenario of %s/%s, expected one of %s", path, s.Model, s.Variant, f.Stream())
	}
	// Every file faultsim writes is replayed before it is reported: a
	// finding that does not reproduce its expect is not merged.
	o, err := scenarios.Run(s, false)
	if err != nil {
		return nil, fmt.Errorf("%s: does not replay: %v", path, err)
	}
	if !o.OK {
		return nil, fmt.Errorf("%s: replays to %s, not its expect %s", path, o.Got, s.Expect)
	}
	return data, nil
}
