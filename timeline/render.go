package timeline

import (
	"fmt"
	"html"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/faultsim/faultsim/sim"
)

// Geometry, in CSS pixels. Coordinates are integers so that the same trace
// always gives the same bytes and thin lines land on whole pixels.
const (
	timeW     = 96  // the time column, left of the first lane
	laneW     = 136 // distance between two lanes
	boxW      = 124 // a lane's name box
	headH     = 40  // the lane header
	rowH      = 26  // one event
	charW     = 7   // estimated width of a character at 12px, to size the drawing
	boldW     = 8   // the same in bold (signals, crashes, violations)
	labelMax  = 100 // characters of an event's text drawn in its row
	nameMax   = 17  // characters of a lane's name drawn in its box
	summaryAt = 160 // characters of a violation's text in the summary
)

// Render writes events as a sequence diagram: one self-contained HTML page
// with inline SVG, titled title. Lanes come in the order lanes gives (a
// model's actors, models.Model.Actors), then the other actors in order of
// first appearance, then the simulator's own (supervisor, node, check).
// The same arguments always give the same bytes. It returns the writer's
// error.
func Render(w io.Writer, title string, events []sim.TraceEvent, lanes ...string) error {
	var b strings.Builder
	title = clean(title)
	names := laneOrder(events, lanes)
	laneX := make(map[string]int, len(names))
	for i, n := range names {
		laneX[n] = timeW + laneW/2 + i*laneW
	}
	width := timeW + len(names)*laneW + 16
	for _, e := range events {
		x, k := labelX(e, laneX)
		w := charW
		if k == kindSignal || k == kindCrash || k == kindViolation {
			w = boldW
		}
		if end := x + utf8.RuneCountInString(cut(clean(e.What), labelMax))*w + 16; end > width {
			width = end
		}
	}

	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n", esc(title), style)
	writeHeader(&b, title, names, events)
	if len(events) > 0 {
		writeLaneHeads(&b, width, names, laneX)
		writeRows(&b, width, names, laneX, events)
	}
	writePlain(&b, events)
	b.WriteString("</body>\n</html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// esc escapes text for HTML text and attribute values.
func esc(s string) string { return html.EscapeString(s) }

// at prints a virtual time.
func at(d time.Duration) string { return sim.FormatDuration(d) }

// writeHeader writes the title, a summary, the violations with links to
// their rows, and a legend.
func writeHeader(b *strings.Builder, title string, names []string, events []sim.TraceEvent) {
	fmt.Fprintf(b, "<header>\n<h1>%s</h1>\n", esc(title))
	if len(events) == 0 {
		b.WriteString("<p class=\"summary\">The trace is empty: nothing to draw.</p>\n</header>\n")
		return
	}
	fmt.Fprintf(b, "<p class=\"summary\">%d events, %d actors, virtual time %s to %s. One row per event, in trace order; hover over a row for its full text.</p>\n",
		len(events), len(names), at(events[0].At), at(events[len(events)-1].At))
	var vs []int
	for i, e := range events {
		if k, _ := classify(e); k == kindViolation {
			vs = append(vs, i)
		}
	}
	if len(vs) == 0 {
		b.WriteString("<p class=\"no-violation\">No invariant broken.</p>\n")
	} else {
		fmt.Fprintf(b, "<div class=\"violations\">\n<p><b>%d invariant violation(s)</b></p>\n<ul>\n", len(vs))
		for _, i := range vs {
			e := events[i]
			_, inv := classify(e)
			_, msg, _ := strings.Cut(e.What, ":")
			fmt.Fprintf(b, "<li><a href=\"#e%d\">%s</a> at %s (event %d): %s</li>\n",
				i+1, esc(inv), at(e.At), i+1, esc(cut(clean(strings.TrimSpace(msg)), summaryAt)))
		}
		b.WriteString("</ul>\n</div>\n")
	}
	b.WriteString(legend)
	b.WriteString("</header>\n")
}

// writeLaneHeads writes the lane names, kept in view while scrolling.
func writeLaneHeads(b *strings.Builder, width int, names []string, laneX map[string]int) {
	fmt.Fprintf(b, "<div class=\"lanes-head\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", width, headH, width, headH)
	fmt.Fprintf(b, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"end\">virtual time</text>\n", timeW-10, headH/2+4)
	for _, n := range names {
		x := laneX[n]
		fmt.Fprintf(b, "<g class=\"lane\" data-actor=\"%s\"><title>%s</title><rect x=\"%d\" y=\"6\" width=\"%d\" height=\"%d\" rx=\"4\"/><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text></g>\n",
			esc(n), esc(clean(n)), x-boxW/2, boxW, headH-12, x, headH/2+4, esc(cut(clean(n), nameMax)))
	}
	b.WriteString("</svg>\n</div>\n")
}

// writeRows writes the diagram: row backgrounds and time labels, the
// lifelines, then one group per event.
func writeRows(b *strings.Builder, width int, names []string, laneX map[string]int, events []sim.TraceEvent) {
	height := len(events)*rowH + 8
	fmt.Fprintf(b, "<svg class=\"rows\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", width, height, width, height)
	b.WriteString(markers)
	b.WriteString("<g class=\"axis\">\n")
	for i, e := range events {
		y := i * rowH
		if k, _ := classify(e); k == kindViolation {
			fmt.Fprintf(b, "<rect class=\"band\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", y+1, width, rowH-2)
		} else if i%2 == 1 {
			fmt.Fprintf(b, "<rect class=\"zebra\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", y, width, rowH)
		}
		if i == 0 || e.At != events[i-1].At {
			if i > 0 {
				fmt.Fprintf(b, "<line class=\"tick\" x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", y, width, y)
			}
			fmt.Fprintf(b, "<text class=\"time\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", timeW-10, y+17, esc(at(e.At)))
		}
		fmt.Fprintf(b, "<text class=\"index\" x=\"4\" y=\"%d\">%d</text>\n", y+17, i+1)
	}
	b.WriteString("</g>\n")
	for _, n := range names {
		fmt.Fprintf(b, "<line class=\"lifeline\" data-actor=\"%s\" x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\"/>\n", esc(n), laneX[n], laneX[n], height)
	}
	for i, e := range events {
		writeEvent(b, i, e, laneX)
	}
	b.WriteString("</svg>\n")
}

// labelX returns where an event's text starts, and the kind of the event.
func labelX(e sim.TraceEvent, laneX map[string]int) (int, kind) {
	k, _ := classify(e)
	x := laneX[e.Actor]
	switch k {
	case kindTimer:
		return x + 32, k
	case kindMessage, kindSignal:
		return min(x, laneX[e.Peer]) + 8, k
	}
	return x + 10, k
}

// writeEvent writes one event's row as a group with its full text as a
// tooltip.
func writeEvent(b *strings.Builder, i int, e sim.TraceEvent, laneX map[string]int) {
	y := i * rowH
	lx, k := labelX(e, laneX)
	x := laneX[e.Actor]
	what := clean(e.What)
	full := fmt.Sprintf("event %d at %s, %s: %s", i+1, at(e.At), clean(e.Actor), what)
	if e.Peer != "" {
		full = fmt.Sprintf("event %d at %s, %s -> %s: %s", i+1, at(e.At), clean(e.Actor), clean(e.Peer), what)
	}
	fmt.Fprintf(b, "<g id=\"e%d\" class=\"event %s\" data-actor=\"%s\"", i+1, k.class(), esc(e.Actor))
	if e.Peer != "" {
		fmt.Fprintf(b, " data-to=\"%s\"", esc(e.Peer))
	}
	_, inv := classify(e)
	if k == kindViolation {
		fmt.Fprintf(b, " data-invariant=\"%s\"", esc(inv))
	}
	fmt.Fprintf(b, "><title>%s</title>", esc(full))
	labelY := y + 17
	switch k {
	case kindMessage, kindSignal:
		head := "message"
		if k == kindSignal {
			head = "signal"
		}
		fmt.Fprintf(b, "<line class=\"arrow\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" marker-end=\"url(#head-%s)\"/>",
			x, y+19, laneX[e.Peer], y+19, head)
		labelY = y + 13
	case kindTimer:
		fmt.Fprintf(b, "<path class=\"arrow\" d=\"M%d %d h24 v10 h-22\" marker-end=\"url(#head-timer)\"/>", x, y+8)
	case kindViolation:
		fmt.Fprintf(b, "<path class=\"mark\" d=\"M%d %d l7 7 l-7 7 l-7 -7 z\"/>", x, y+6)
	default:
		fmt.Fprintf(b, "<circle cx=\"%d\" cy=\"%d\" r=\"4\"/>", x, y+13)
	}
	fmt.Fprintf(b, "<text class=\"label\" x=\"%d\" y=\"%d\">%s</text></g>\n", lx, labelY, esc(cut(what, labelMax)))
}

// writePlain writes the trace as text, folded, for searching and copying.
func writePlain(b *strings.Builder, events []sim.TraceEvent) {
	fmt.Fprintf(b, "<details class=\"plain\">\n<summary>The trace as text (%d events)</summary>\n<pre>", len(events))
	for _, e := range events {
		e.Actor, e.Peer, e.What = clean(e.Actor), clean(e.Peer), clean(e.What)
		b.WriteString(esc(e.String()))
		b.WriteByte('\n')
	}
	b.WriteString("</pre>\n</details>\n")
}
