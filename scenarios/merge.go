package scenarios

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/faultsim/faultsim/internal/userfile"
)

// Merge unions the output directories of campaigns with one seed (the
// shards of a campaign, or campaigns run apart) into out: every stream's
// done indexes (an index that two inputs ran is an error: the shards were
// not disjoint), and every distinct finding once, represented by its lowest
// scenario index (whose file is copied) with the hits of all inputs summed.
// The merged campaign is the whole seed space's (shard 0/1), so --resume on
// out runs whatever no input ran. It writes out's state and reports.
func Merge(out string, dirs ...string) (*State, error) {
	if len(dirs) == 0 {
		return nil, errors.New("merge: no campaign directories given")
	}
	var merged *State
	from := map[string]string{} // signature -> directory of its representative
	for _, dir := range dirs {
		st, err := LoadState(dir)
		if err != nil {
			return nil, err
		}
		if merged == nil {
			merged = &State{Version: stateVersion, Seed: st.Seed, Shard: "0/1", Chunk: st.Chunk, MaxScenarios: st.MaxScenarios}
		}
		if st.Seed != merged.Seed {
			return nil, fmt.Errorf("merge: %s has seed %d, %s has %d: expected one campaign seed", dir, st.Seed, dirs[0], merged.Seed)
		}
		merged.ElapsedNS = max(merged.ElapsedNS, st.ElapsedNS)
		merged.MaxScenarios = max(merged.MaxScenarios, st.MaxScenarios)
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
	for _, f := range merged.Findings {
		if f.File == "" {
			continue
		}
		data, err := userfile.Read(filepath.Join(from[f.Signature], f.File), MaxFileSize)
		if err != nil {
			return nil, fmt.Errorf("merge: finding %s: %v", f.Signature, err)
		}
		if err := writeAtomic(filepath.Join(out, f.File), data); err != nil {
			return nil, err
		}
	}
	if err := merged.Save(out); err != nil {
		return nil, err
	}
	return merged, WriteReports(out, merged)
}
