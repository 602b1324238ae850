package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/faultsim/faultsim/scenarios"
)

// runReport prints run's results as they come: the text lines (on standard
// output, or on standard error with --json), the JSON Lines records and
// the JUnit file, then the summary and the exit code.
type runReport struct {
	text    io.Writer
	errw    io.Writer
	verbose bool
	json    *jsonLines   // nil without --json
	junit   *junitReport // nil without --junit

	passed, failed, bad int
}

// newRunReport sets up run's outputs; a JUnit file that cannot be written
// is an error before any scenario runs.
func newRunReport(stdout, stderr io.Writer, asJSON, verbose bool, junitPath string) (*runReport, error) {
	r := &runReport{text: stdout, errw: stderr, verbose: verbose}
	if asJSON {
		r.text, r.json = stderr, newJSONLines(stdout)
	}
	if junitPath != "" {
		j, err := newJUnitReport(junitPath)
		if err != nil {
			return nil, err
		}
		r.junit = j
	}
	return r, nil
}

// outcome reports what one scenario file produced.
func (r *runReport) outcome(file string, s *scenarios.Scenario, o scenarios.Outcome, took time.Duration) {
	status := "ok  "
	if o.OK {
		r.passed++
	} else {
		status = "FAIL"
		r.failed++
	}
	fmt.Fprintf(r.text, "%s %-60s expect %-40s got %s\n", status, filepath.Base(file), s.Expect, o.Got)
	if !o.OK || r.verbose {
		for _, v := range o.Result.Violations {
			fmt.Fprintf(r.text, "       %s\n", v)
		}
	}
	if r.json != nil {
		r.json.outcome(file, s, o, r.verbose)
	}
	if r.junit != nil {
		r.junit.outcome(file, s, o, took)
	}
}

// badFile reports a file that could not be read or run; err names the
// file (and its line and field when it did not parse).
func (r *runReport) badFile(file string, took time.Duration, err error) {
	r.bad++
	fmt.Fprintf(r.errw, "error: %v\n", err)
	if r.json != nil {
		r.json.error(file, err)
	}
	if r.junit != nil {
		r.junit.bad(file, took, err)
	}
}

// finish prints the summary ("N passed, N failed" last on the text output),
// writes the JUnit file and returns the exit: nil (0), 1 for a mismatch, 2
// for a bad file or an output that could not be written.
func (r *runReport) finish() error {
	fmt.Fprintf(r.text, "%d passed, %d failed\n", r.passed, r.failed+r.bad)
	var werr error
	if r.json != nil {
		r.json.write(summaryRecord{"summary", r.passed, r.failed, r.bad})
		werr = r.json.err
	}
	if r.junit != nil {
		werr = errors.Join(werr, r.junit.write())
	}
	switch {
	case werr != nil:
		return &exitError{2, werr}
	case r.bad > 0:
		return &exitError{2, fmt.Errorf("%d scenario file(s) could not be read", r.bad)}
	case r.failed > 0:
		return &exitError{1, fmt.Errorf("")}
	}
	return nil
}

// discard removes an unwritten JUnit file's temporary file.
func (r *runReport) discard() {
	if r.junit != nil {
		r.junit.file.discard()
	}
}
