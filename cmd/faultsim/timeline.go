package main

import (
	"io"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/timeline"
)

// timelineFile is a timeline being written atomically (see outputFile).
type timelineFile struct{ *outputFile }

// createTimeline opens the temporary file for a timeline at path; its error
// says which file could not be written and why.
func createTimeline(path string) (*timelineFile, error) {
	f, err := createOutput("timeline", path, "an HTML file name")
	if err != nil {
		return nil, err
	}
	return &timelineFile{f}, nil
}

// write renders the events into the temporary file and renames it into place.
func (f *timelineFile) write(title string, events []sim.TraceEvent, lanes []string) error {
	return f.commit(func(w io.Writer) error { return timeline.Render(w, title, events, lanes...) })
}
