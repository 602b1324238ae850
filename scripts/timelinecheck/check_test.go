package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/timeline"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestCheckDOM: the checker accepts a timeline of the trace it is given
// (here the HTML as written, standing in for the browser's DOM) and names
// what is missing when given another trace.
func TestCheckDOM(t *testing.T) {
	story, err := readTrace("../../timeline/testdata/graceful-stop.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	other := []sim.TraceEvent{{Actor: "kubelet", Peer: "crio", What: "StopPodSandbox"}, {Kind: sim.ViolationEvent, Actor: "check", Invariant: "crash", What: "VIOLATION crash: boom"}}
	dir := t.TempDir()
	page := filepath.Join(dir, "story.html")
	var b bytes.Buffer
	if err := timeline.Render(&b, "story", story); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		events []sim.TraceEvent
		want   []string
	}{
		{"its own trace", story, nil},
		{"another trace", other, []string{"7 lanes, want 3", "7 arrows between lanes, want 1", "1 timers, want 0", `want ["crash"]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(checkDOM(page, expect(tt.events)), "\n")
			if len(tt.want) == 0 && got != "" {
				t.Fatalf("problems with a matching timeline:\n%s", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("problems do not say %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestCheckPNG: a blank screenshot fails; one with the lane, violation,
// band and arrow colours passes for a trace with a violation.
func TestCheckPNG(t *testing.T) {
	want := expect([]sim.TraceEvent{{Actor: "kubelet", Peer: "crio", What: "x"}, {Kind: sim.ViolationEvent, Actor: "check", Invariant: "crash", What: "VIOLATION crash: boom"}})
	paint := func(colours ...string) string {
		img := image.NewRGBA(image.Rect(0, 0, 200, 200))
		for y := range 200 {
			for x := range 200 {
				img.Set(x, y, color.White)
			}
		}
		for i, c := range colours {
			v := hex(c)
			for y := i * 20; y < i*20+20; y++ {
				for x := range 200 {
					img.Set(x, y, color.RGBA{v.r, v.g, v.b, 255})
				}
			}
		}
		for i := range 10 { // a few more colours, as text would bring
			img.Set(i, 199, color.RGBA{uint8(i * 20), 0, 0, 255})
		}
		path := filepath.Join(t.TempDir(), "shot.png")
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if p := checkPNG(paint(), want); len(p) < 3 {
		t.Errorf("a blank screenshot passed with only %d problem(s): %q", len(p), p)
	}
	full := paint(timeline.LaneColour, timeline.LaneColour, timeline.ViolationColour, timeline.BandColour, timeline.MessageColour, timeline.MessageColour)
	if p := checkPNG(full, want); len(p) != 0 {
		t.Errorf("a screenshot with every colour failed: %q", p)
	}
	if p := checkPNG(full, expect([]sim.TraceEvent{{Actor: "crio", What: "ready"}})); len(p) != 1 || !strings.Contains(p[0], "no violation") {
		t.Errorf("a violation band in a trace without violations: problems %q, want one saying so", p)
	}
}

// TestReadTrace: the events of faultsim replay --json are its "event"
// records (not its "outcome" record), a story's are its bare events, and a
// line that is not a JSON object is an error naming the line.
func TestReadTrace(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, text string
		want       []sim.TraceEvent
		err        string
	}{
		{"replay records", `{"type":"event","file":"f.yaml","time":"0s","at":0,"kind":"message","actor":"kubelet","peer":"crio","what":"StopPodSandbox web"}
{"type":"event","file":"f.yaml","time":"30s","at":30000000000,"kind":"violation","actor":"check","what":"VIOLATION crash: boom","invariant":"crash"}
{"type":"outcome","file":"f.yaml","name":"f","model":"hostport","variant":"reference","seed":1,"expect":"pass","got":"violations [crash]","ok":false,"violations":[],"trace_hash":"00"}
`, []sim.TraceEvent{{At: 0, Kind: sim.Message, Actor: "kubelet", Peer: "crio", What: "StopPodSandbox web"},
			{At: 30 * time.Second, Kind: sim.ViolationEvent, Actor: "check", What: "VIOLATION crash: boom", Invariant: "crash"}}, ""},
		{"bare events", `{"at":0,"actor":"conmon","what":"monitoring"}
`, []sim.TraceEvent{{Actor: "conmon", What: "monitoring"}}, ""},
		{"text line", `{"at":0,"actor":"conmon","what":"monitoring"}
trace hash: 00
`, nil, "t.jsonl:2: "},
		{"no events", `{"type":"error","file":"f.yaml","error":"f.yaml:2: bad"}
`, nil, "no trace events"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "t.jsonl")
			if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readTrace(path)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
