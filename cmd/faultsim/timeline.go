package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/timeline"
)

// timelineFile is a timeline being written: a temporary file beside its
// destination, renamed over it once complete, so a reader never sees half a
// page and a failed write leaves no file behind.
type timelineFile struct {
	path string
	tmp  *os.File
}

// createTimeline opens the temporary file for a timeline at path; its error
// says which file could not be written and why.
func createTimeline(path string) (*timelineFile, error) {
	dir := filepath.Dir(path)
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return nil, fmt.Errorf("cannot write timeline %s: it is a directory, want an HTML file name", path)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the temporary file's name means nothing to the user
		}
		return nil, fmt.Errorf("cannot write timeline %s: %w (its directory %s must exist and be writable)", path, err, dir)
	}
	return &timelineFile{path: path, tmp: tmp}, nil
}

// write renders the events into the temporary file and renames it into place.
func (f *timelineFile) write(title string, events []sim.TraceEvent, lanes []string) error {
	err := timeline.Render(f.tmp, title, events, lanes...)
	if err == nil {
		err = f.tmp.Chmod(0o644)
	}
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.tmp.Name(), f.path)
	}
	if err != nil {
		return fmt.Errorf("cannot write timeline %s: %w", f.path, err)
	}
	f.tmp = nil
	return nil
}

// discard removes the temporary file unless write completed.
func (f *timelineFile) discard() {
	if f.tmp != nil {
		f.tmp.Close()
		os.Remove(f.tmp.Name())
	}
}
