package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// outputFile is a report being written (a timeline, a JUnit file): a
// temporary file beside its destination, renamed over it once complete, so
// a reader never sees half a file and a failed write leaves no file behind.
type outputFile struct {
	kind string // what it is, for errors: "timeline", "JUnit report"
	path string
	tmp  *os.File
}

// createOutput opens the temporary file for a kind of report at path, want
// naming what path should be ("an HTML file name"); its error says which
// file could not be written and why. Commands call it before doing any
// work, so a report that cannot be written costs nothing.
func createOutput(kind, path, want string) (*outputFile, error) {
	dir := filepath.Dir(path)
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return nil, fmt.Errorf("cannot write %s %s: it is a directory, want %s", kind, path, want)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the temporary file's name means nothing to the user
		}
		return nil, fmt.Errorf("cannot write %s %s: %w (its directory %s must exist and be writable)", kind, path, err, dir)
	}
	return &outputFile{kind: kind, path: path, tmp: tmp}, nil
}

// commit renders the report into the temporary file and renames it into place.
func (f *outputFile) commit(render func(io.Writer) error) error {
	err := render(f.tmp)
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
		return fmt.Errorf("cannot write %s %s: %w", f.kind, f.path, err)
	}
	f.tmp = nil
	return nil
}

// discard removes the temporary file unless commit completed.
func (f *outputFile) discard() {
	if f.tmp != nil {
		f.tmp.Close()
		os.Remove(f.tmp.Name())
	}
}
