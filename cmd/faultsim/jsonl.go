package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/sim"
)

// The records of --json (run, replay): JSON Lines on standard output, one
// object a line, each with a "type"; human text goes to standard error.
//
//	{"type":"event","file":F,"time":"30.1s","at":NS,"kind":K,"actor":A,"peer":B,"what":W,
//	 "invariant":I,"site":{"func":FN,"file":SRC,"line":L}}
//	    replay: one per trace event, in order; kind is note, message, signal,
//	    timer, fault, crash or violation ("peer" only for a message, signal
//	    or timer, "invariant" for a violation, "site" for a crash)
//	{"type":"outcome","file":F,"name":N,"model":M,"variant":V,"seed":S,
//	 "expect":"pass"|"violation X","got":"pass"|"violations [X Y]","ok":B,
//	 "violations":[{"invariant":I,"at":NS,"time":"30s","message":M}],"trace_hash":H}
//	    run: one per scenario file; replay: after the events ("trace_hash" only
//	    when the trace was recorded: replay, run -v)
//	{"type":"error","file":F,"error":MSG}
//	    a file that could not be read or run (exit 2)
//	{"type":"summary","passed":N,"failed":N,"errors":N}
//	    run: the last line; failed counts mismatched outcomes, errors the files
//	    of error records (the text line's "failed" is failed + errors)
//
// Times are virtual: "at" in nanoseconds, "time" as the text trace prints it.
// Fields are only ever added, never renamed or removed.

// eventRecord is one trace event: sim.TraceEvent's fields (at, kind,
// actor, peer, what, invariant, site) with the record's type, file and time.
type eventRecord struct {
	Type string `json:"type"`
	File string `json:"file"`
	Time string `json:"time"`
	sim.TraceEvent
}

// violationRecord is one violation of an outcome.
type violationRecord struct {
	Invariant string        `json:"invariant"`
	At        time.Duration `json:"at"`
	Time      string        `json:"time"`
	Message   string        `json:"message"`
}

// outcomeRecord is what one scenario file produced against its expect.
type outcomeRecord struct {
	Type       string            `json:"type"`
	File       string            `json:"file"`
	Name       string            `json:"name"`
	Model      string            `json:"model"`
	Variant    string            `json:"variant"`
	Seed       uint64            `json:"seed"`
	Expect     string            `json:"expect"`
	Got        string            `json:"got"`
	OK         bool              `json:"ok"`
	Violations []violationRecord `json:"violations"`
	TraceHash  string            `json:"trace_hash,omitempty"`
}

// errorRecord is a file that could not be read or run.
type errorRecord struct {
	Type  string `json:"type"`
	File  string `json:"file,omitempty"`
	Error string `json:"error"`
}

// summaryRecord ends run's output.
type summaryRecord struct {
	Type   string `json:"type"`
	Passed int    `json:"passed"`
	Failed int    `json:"failed"`
	Errors int    `json:"errors"`
}

// jsonLines writes records, one a line; the first write error sticks in
// err, and later records are dropped.
type jsonLines struct {
	enc *json.Encoder
	err error
}

func newJSONLines(w io.Writer) *jsonLines {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonLines{enc: enc}
}

// write encodes one record (every record type always encodes; only the
// writer can fail).
func (j *jsonLines) write(rec any) {
	if j.err == nil {
		if err := j.enc.Encode(rec); err != nil {
			j.err = fmt.Errorf("cannot write JSON lines to standard output: %w", err)
		}
	}
}

func (j *jsonLines) events(file string, events []sim.TraceEvent) {
	for _, e := range events {
		j.write(eventRecord{Type: "event", File: file, Time: sim.FormatDuration(e.At), TraceEvent: e})
	}
}

func (j *jsonLines) outcome(file string, s *scenarios.Scenario, o scenarios.Outcome, traced bool) {
	rec := outcomeRecord{Type: "outcome", File: file, Name: s.Name, Model: s.Model, Variant: s.Variant, Seed: s.Seed,
		Expect: s.Expect.String(), Got: o.Got, OK: o.OK, Violations: []violationRecord{}}
	for _, v := range o.Result.Violations {
		rec.Violations = append(rec.Violations, violationRecord{v.Invariant, v.At, sim.FormatDuration(v.At), v.Message})
	}
	if traced {
		rec.TraceHash = o.Result.Trace.Hash()
	}
	j.write(rec)
}

func (j *jsonLines) error(file string, err error) { j.write(errorRecord{"error", file, err.Error()}) }

// jsonError returns err, having written it as an error record on standard
// output first when --json is on, so that a consumer of the records sees
// why there are no others.
func jsonError(cmd *cobra.Command, asJSON bool, file string, err error) error {
	if asJSON {
		j := newJSONLines(cmd.OutOrStdout())
		j.error(file, err)
	}
	return err
}
