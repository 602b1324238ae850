package main

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// checkDOM checks the DOM a browser dumped against the trace: one lane per
// actor with its name, one arrow per message between the right lanes, one
// self-arrow per timer, one marked row per violation naming its invariant.
func checkDOM(path string, want expectation) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}
	}
	root, err := html.Parse(strings.NewReader(string(data)))
	if err != nil {
		return []string{fmt.Sprintf("the dumped DOM is not HTML: %v", err)}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	lanes := map[string]bool{}
	for _, l := range byClass(root, "lane") {
		name := attr(l, "data-actor")
		lanes[name] = true
		if strings.TrimSpace(text(l)) == "" {
			bad("lane %q has no visible name", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want.lanes)) {
		if !lanes[name] {
			bad("no lane for actor %q", name)
		}
	}
	if len(lanes) != len(want.lanes) {
		bad("%d lanes, want %d (one per actor)", len(lanes), len(want.lanes))
	}
	laneX := map[string]string{}
	for _, l := range byClass(root, "lifeline") {
		laneX[attr(l, "data-actor")] = attr(l, "x1")
	}

	sends := byClass(root, "send")
	if len(sends) != want.sends {
		bad("%d arrows between lanes, want %d (one per message or signal)", len(sends), want.sends)
	}
	for _, s := range sends {
		from, to := attr(s, "data-actor"), attr(s, "data-to")
		arrows := byClass(s, "arrow")
		if len(arrows) != 1 {
			bad("row %s: %d arrow elements, want 1", attr(s, "id"), len(arrows))
			continue
		}
		if x1, x2 := attr(arrows[0], "x1"), attr(arrows[0], "x2"); x1 != laneX[from] || x2 != laneX[to] {
			bad("row %s: arrow from x=%s to x=%s, want from %s (x=%s) to %s (x=%s)", attr(s, "id"), x1, x2, from, laneX[from], to, laneX[to])
		}
	}
	if got := len(byClass(root, "timer")); got != want.timers {
		bad("%d timers, want %d", got, want.timers)
	}
	var invs []string
	for _, v := range byClass(root, "violation") {
		inv := attr(v, "data-invariant")
		invs = append(invs, inv)
		if !strings.Contains(text(v), inv) {
			bad("violation row %s does not show its invariant %q", attr(v, "id"), inv)
		}
	}
	if !slices.Equal(invs, want.violations) {
		bad("violations marked %q, want %q", invs, want.violations)
	}
	if got := len(byClass(root, "event")); got == 0 {
		bad("no event rows")
	}
	return problems
}

// pageSize returns the size of the page a timeline draws, for the
// browser's window: the widest drawing, and the header plus the rows.
func pageSize(path string) (int, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	root, err := html.Parse(strings.NewReader(string(data)))
	if err != nil {
		return 0, 0, err
	}
	w, h := 1000, 400 // room for the header, the summary and the legend
	for _, s := range all(root, func(n *html.Node) bool { return n.Data == "svg" }) {
		sw, _ := strconv.Atoi(attr(s, "width"))
		sh, _ := strconv.Atoi(attr(s, "height"))
		w = max(w, sw+40)
		h += sh
	}
	return w, h, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func all(n *html.Node, keep func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && keep(c) {
			out = append(out, c)
		}
		out = append(out, all(c, keep)...)
	}
	return out
}

func byClass(n *html.Node, class string) []*html.Node {
	return all(n, func(c *html.Node) bool { return slices.Contains(strings.Fields(attr(c, "class")), class) })
}

// text returns the visible text under n (tooltips excluded).
func text(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode:
			b.WriteString(c.Data)
		case c.Type == html.ElementNode && c.Data != "title":
			b.WriteString(text(c))
		}
	}
	return b.String()
}
