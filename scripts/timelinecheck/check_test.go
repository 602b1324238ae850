package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
