// Command timelinecheck is the Go half of scripts/timeline-check: it renders
// a trace written as JSON lines into a timeline, and it verifies what a
// headless browser made of a timeline against the trace it was drawn from.
//
//	timelinecheck render -trace T.jsonl -title TITLE -out T.html
//	timelinecheck size -html T.html
//	timelinecheck verify -trace T.jsonl -dom T.dom.html -png T.png
//
// size prints the browser window ("WIDTH,HEIGHT") that shows the whole page.
// verify reads the DOM the browser dumped (lanes, arrows, timers and
// violations must match the trace one for one) and the screenshot (it must
// not be blank, must show the lane colour, and the violation colour exactly
// when the trace has a violation). It exits 1 with every problem found.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/timeline"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: timelinecheck render|size|verify [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	tracePath := fs.String("trace", "", "the trace as JSON lines (faultsim replay --json); other lines are ignored")
	title := fs.String("title", "", "render: the page title")
	out := fs.String("out", "", "render: the HTML file to write")
	dom := fs.String("dom", "", "verify: the DOM the browser dumped")
	png := fs.String("png", "", "verify: the browser's screenshot")
	page := fs.String("html", "", "size: the timeline")
	fs.Parse(os.Args[2:])
	if os.Args[1] == "size" {
		w, h, err := pageSize(*page)
		if err != nil {
			fail(err)
		}
		fmt.Printf("%d,%d\n", w, h)
		return
	}
	events, err := readTrace(*tracePath)
	if err != nil {
		fail(err)
	}
	switch os.Args[1] {
	case "render":
		var b bytes.Buffer
		if err := timeline.Render(&b, *title, events); err != nil {
			fail(err)
		}
		if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
			fail(err)
		}
	case "verify":
		want := expect(events)
		problems := checkDOM(*dom, want)
		problems = append(problems, checkPNG(*png, want)...)
		if len(problems) > 0 {
			fmt.Fprintf(os.Stderr, "timelinecheck: %s: %d problem(s):\n  %s\n", *dom, len(problems), strings.Join(problems, "\n  "))
			os.Exit(1)
		}
		fmt.Printf("ok   %s: %d lanes, %d arrows, %d timers, %d violations in the DOM; %s\n",
			*dom, len(want.lanes), want.sends, want.timers, len(want.violations), pngSummary)
	default:
		fail(fmt.Errorf("unknown subcommand %q, want render, size or verify", os.Args[1]))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "timelinecheck:", err)
	os.Exit(1)
}

// readTrace reads a trace as JSON Lines: the records of faultsim replay
// --json (its "event" records; "outcome", "error" and "summary" records are
// not events) or bare events without a "type" (timeline/testdata's stories).
// A line that is not a JSON object is an error.
func readTrace(path string) ([]sim.TraceEvent, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var events []sim.TraceEvent
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var rec struct {
			Type string `json:"type"`
			sim.TraceEvent
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("%s:%d: %v (want a JSON object a line)", path, line, err)
		}
		if rec.Type == "" || rec.Type == "event" {
			events = append(events, rec.TraceEvent)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%s: no trace events, want JSON lines from faultsim replay --json", path)
	}
	return events, nil
}

// expectation is what a timeline of a trace must show.
type expectation struct {
	lanes         map[string]bool
	sends, timers int
	violations    []string // invariant names
}

func expect(events []sim.TraceEvent) expectation {
	w := expectation{lanes: map[string]bool{}}
	for _, e := range events {
		w.lanes[e.Actor] = true
		switch {
		case e.Peer != "" && e.Peer != e.Actor:
			w.lanes[e.Peer] = true
			w.sends++
		case e.Peer == e.Actor && e.Peer != "":
			w.timers++
		case e.Kind == sim.ViolationEvent:
			w.violations = append(w.violations, e.Invariant)
		}
	}
	return w
}
