package main

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"strconv"

	"github.com/faultsim/faultsim/timeline"
)

// pngSummary describes the screenshot checked last, for the ok line.
var pngSummary string

// rgb is a colour without alpha.
type rgb struct{ r, g, b uint8 }

func hex(s string) rgb {
	v, _ := strconv.ParseUint(s[1:], 16, 32)
	return rgb{uint8(v >> 16), uint8(v >> 8), uint8(v)}
}

// near reports whether two colours are within 3 of each other per channel
// (a browser may round a solid fill by a unit or two).
func near(a, b rgb) bool {
	d := func(x, y uint8) bool { return x-y <= 3 || y-x <= 3 }
	return d(a.r, b.r) && d(a.g, b.g) && d(a.b, b.b)
}

// checkPNG checks a screenshot of a whole timeline: not blank, the lane
// colour shown, and the violation colours (the marks and the row band)
// shown when, and only when, the trace has a violation.
func checkPNG(path string, want expectation) []string {
	f, err := os.Open(path)
	if err != nil {
		return []string{err.Error()}
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return []string{fmt.Sprintf("%s: not a PNG: %v", path, err)}
	}
	distinct, n := countColours(img, timeline.LaneColour, timeline.ViolationColour, timeline.BandColour, timeline.MessageColour, timeline.SignalColour)
	lane, mark, band, arrows := n[0], n[1], n[2], n[3]+n[4]
	b := img.Bounds()
	pngSummary = fmt.Sprintf("screenshot %dx%d: %d colours; pixels: %d lane, %d violation, %d band, %d arrow",
		b.Dx(), b.Dy(), distinct, lane, mark, band, arrows)

	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if distinct < 8 {
		bad("%s: the screenshot is blank or nearly (%d colours)", path, distinct)
	}
	if lane < 200*len(want.lanes) {
		bad("%s: %d pixels of the lane colour %s, want at least %d for %d lanes", path, lane, timeline.LaneColour, 200*len(want.lanes), len(want.lanes))
	}
	if len(want.violations) > 0 && (mark < 200 || band < 1000) {
		bad("%s: %d pixels of the violation colour %s and %d of its band %s, want at least 200 and 1000 for %d violation(s)",
			path, mark, timeline.ViolationColour, band, timeline.BandColour, len(want.violations))
	}
	if len(want.violations) == 0 && band > 0 {
		bad("%s: %d pixels of the violation band %s, but the trace has no violation", path, band, timeline.BandColour)
	}
	// The legend draws both arrow colours once (legendArrowPixels); each
	// arrow adds at least 100 more (2 px wide, 50 px or longer).
	if min := legendArrowPixels + 100*want.sends; arrows < min {
		bad("%s: %d pixels of the arrow colours, want at least %d for the legend and %d arrow(s)", path, arrows, min, want.sends)
	}
	return problems
}

// legendArrowPixels is about how many pixels the legend's two arrows draw in
// the arrow colours, measured on a trace without messages; the check asks
// for a little less.
const legendArrowPixels = 150

// countColours returns how many distinct colours an image has and how many
// of its pixels are near each of the colours given (as "#rrggbb").
func countColours(img image.Image, colours ...string) (int, []int) {
	want := make([]rgb, len(colours))
	for i, c := range colours {
		want[i] = hex(c)
	}
	n := make([]int, len(colours))
	seen := map[rgb]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			c := rgb{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}
			seen[c] = true
			for i, w := range want {
				if near(c, w) {
					n[i]++
				}
			}
		}
	}
	return len(seen), n
}
