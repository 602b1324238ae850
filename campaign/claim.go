package campaign

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// OutInUseError is the refusal to start a campaign, or merge, into an
// --out that holds another campaign: its state, findings and summaries
// would be overwritten or orphaned.
type OutInUseError struct {
	Dir string
	// What describes the campaign found there.
	What string
}

func (e *OutInUseError) Error() string {
	return fmt.Sprintf("--out %s holds another campaign (%s): continue it with --resume %s, replace it with --force, or choose another --out", e.Dir, e.What, e.Dir)
}

// claimOut readies dir, locked by the caller, for a new campaign: an empty
// or absent campaign is fine; another campaign is refused with an
// *OutInUseError, or with replace removed: its state, reports (the races
// of race mode included) and the finding files its state lists (files it
// does not list are left alone).
func claimOut(dir string, replace bool) error {
	path := filepath.Join(dir, StateFile)
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	st, loadErr := LoadState(dir)
	if !replace {
		what := "a state that does not load: " + fmt.Sprint(loadErr)
		if loadErr == nil {
			what = fmt.Sprintf("seed %d, %d stream(s), %d finding(s)", st.Seed, len(st.Streams), len(st.Findings))
		}
		return &OutInUseError{Dir: dir, What: what}
	}
	var names []string
	if loadErr == nil {
		for _, f := range st.Findings {
			if f.File != "" {
				names = append(names, f.File) // checked by LoadState: a name in dir
			}
		}
	}
	names = append(names, SummaryMD, SummaryJSON, ReportHTML, RacesFile, StateFile)
	for _, name := range names {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--force: removing the previous campaign's %s: %w", name, err)
		}
	}
	return nil
}
