package timeline_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/net/html"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/timeline"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(models.Releasing(m)) }

// story reads a trace written as JSON lines (the format of replay --json).
func story(t *testing.T, path string) []sim.TraceEvent {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []sim.TraceEvent
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var e sim.TraceEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		events = append(events, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return events
}

// replay runs a corpus scenario and returns its trace.
func replay(t *testing.T, path string) []sim.TraceEvent {
	t.Helper()
	s, err := scenarios.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	o, err := scenarios.Run(s, true)
	if err != nil {
		t.Fatal(err)
	}
	return o.Result.Trace.Events()
}

// stackLanes are the lanes of the runtime stack, a call going left to right.
var stackLanes = []string{"kubelet", "crictl", "crio", "containerd", "conmon", "shim", "crun", "runc", "systemd"}

func render(t *testing.T, title string, events []sim.TraceEvent) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := timeline.Render(&b, title, events, stackLanes...); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// page is a parsed timeline.
type page struct{ root *html.Node }

func parse(t *testing.T, doc []byte) page {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("the timeline is not HTML: %v", err)
	}
	return page{root}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return n.Type == html.ElementNode && slices.Contains(strings.Fields(attr(n, "class")), class)
}

// all returns the elements under n, in document order, for which keep is true.
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
	return all(n, func(c *html.Node) bool { return hasClass(c, class) })
}

func byTag(n *html.Node, tag string) []*html.Node {
	return all(n, func(c *html.Node) bool { return c.Data == tag })
}

// text returns the text under n, <title> tooltips excluded.
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

func num(t *testing.T, n *html.Node, key string) int {
	t.Helper()
	v, err := strconv.Atoi(attr(n, key))
	if err != nil {
		t.Fatalf("<%s class=%q> has %s=%q, want an integer", n.Data, attr(n, "class"), key, attr(n, key))
	}
	return v
}

// checkStructure checks a rendered trace against the events it was made of.
func checkStructure(t *testing.T, p page, events []sim.TraceEvent, wantLanes []string) {
	t.Helper()
	var lanes []string
	for _, l := range byClass(p.root, "lane") {
		if name := strings.TrimSpace(text(l)); name != attr(l, "data-actor") {
			t.Errorf("lane %q is labelled %q", attr(l, "data-actor"), name)
		}
		lanes = append(lanes, attr(l, "data-actor"))
	}
	if !slices.Equal(lanes, wantLanes) {
		t.Fatalf("lanes %q, want %q", lanes, wantLanes)
	}
	laneX := map[string]int{}
	for _, l := range byClass(p.root, "lifeline") {
		if x1, x2 := num(t, l, "x1"), num(t, l, "x2"); x1 != x2 {
			t.Errorf("lifeline of %q is not vertical: x1=%d x2=%d", attr(l, "data-actor"), x1, x2)
		}
		laneX[attr(l, "data-actor")] = num(t, l, "x1")
	}
	if len(laneX) != len(wantLanes) {
		t.Fatalf("%d lifelines, want one for each of %d lanes", len(laneX), len(wantLanes))
	}

	rows := byClass(p.root, "event")
	if len(rows) != len(events) {
		t.Fatalf("%d event rows, want %d", len(rows), len(events))
	}
	var sends, timers, violations int
	for i, e := range events {
		row := rows[i]
		if id := attr(row, "id"); id != fmt.Sprintf("e%d", i+1) {
			t.Errorf("row %d has id %q", i+1, id)
		}
		tip := byTag(row, "title")
		if len(tip) != 1 || tip[0].FirstChild == nil || !strings.HasSuffix(tip[0].FirstChild.Data, e.What) {
			t.Errorf("row %d: tooltip does not end with the full text %q", i+1, e.What)
		}
		label := strings.TrimSpace(text(row))
		if label != e.What && !(strings.HasSuffix(label, "…") && strings.HasPrefix(e.What, strings.TrimSuffix(label, "…"))) {
			t.Errorf("row %d: label %q is neither the text nor its start: %q", i+1, label, e.What)
		}
		switch {
		case e.Peer != "" && e.Peer != e.Actor:
			sends++
			if !hasClass(row, "send") || attr(row, "data-actor") != e.Actor || attr(row, "data-to") != e.Peer {
				t.Errorf("row %d (%s -> %s) drawn as class=%q from %q to %q", i+1, e.Actor, e.Peer, attr(row, "class"), attr(row, "data-actor"), attr(row, "data-to"))
				continue
			}
			arrows := byClass(row, "arrow")
			if len(arrows) != 1 {
				t.Fatalf("row %d: %d arrows, want 1", i+1, len(arrows))
			}
			a := arrows[0]
			if x1, x2 := num(t, a, "x1"), num(t, a, "x2"); x1 != laneX[e.Actor] || x2 != laneX[e.Peer] {
				t.Errorf("row %d: arrow from x=%d to x=%d, want from %s's lane x=%d to %s's x=%d", i+1, x1, x2, e.Actor, laneX[e.Actor], e.Peer, laneX[e.Peer])
			}
			if y1, y2 := num(t, a, "y1"), num(t, a, "y2"); y1 != y2 {
				t.Errorf("row %d: arrow is not horizontal: y1=%d y2=%d", i+1, y1, y2)
			}
		case e.Peer == e.Actor && e.Peer != "":
			timers++
			arrows := byClass(row, "arrow")
			if !hasClass(row, "timer") || len(arrows) != 1 || !strings.HasPrefix(attr(arrows[0], "d"), fmt.Sprintf("M%d ", laneX[e.Actor])) {
				t.Errorf("row %d: timer of %s not drawn as a self-arrow from x=%d", i+1, e.Actor, laneX[e.Actor])
			}
		case e.Kind == sim.ViolationEvent:
			violations++
			inv := e.Invariant
			if !hasClass(row, "violation") || attr(row, "data-invariant") != inv || !strings.Contains(text(row), inv) {
				t.Errorf("row %d: violation of %q not marked (class=%q, invariant %q, text %q)", i+1, inv, attr(row, "class"), attr(row, "data-invariant"), text(row))
			}
			links := all(p.root, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == "#"+attr(row, "id") })
			if len(links) != 1 || text(links[0]) != inv {
				t.Errorf("row %d: the summary does not link violation %q to it", i+1, inv)
			}
		default:
			if len(byClass(row, "arrow")) != 0 {
				t.Errorf("row %d: a local event has an arrow", i+1)
			}
		}
	}
	if got := len(byClass(p.root, "send")); got != sends {
		t.Errorf("%d arrows between lanes, want one per message: %d", got, sends)
	}
	if got := len(byClass(p.root, "timer")); got != timers {
		t.Errorf("%d timers, want %d", got, timers)
	}
	if got := len(byClass(p.root, "violation")); got != violations {
		t.Errorf("%d violation rows, want %d", got, violations)
	}
	if len(byTag(p.root, "script")) != 0 || len(byTag(p.root, "link")) != 0 {
		t.Error("the page has a script or a link to another file: it must be self-contained and static")
	}
}

func TestRenderStructure(t *testing.T) {
	tests := []struct {
		name   string
		events func(t *testing.T) []sim.TraceEvent
		lanes  []string
		counts [3]int // messages and signals, timers, violations
	}{
		{"graceful stop story", func(t *testing.T) []sim.TraceEvent { return story(t, "testdata/graceful-stop.jsonl") },
			[]string{"kubelet", "crio", "conmon", "crun", "systemd", "pid 42", "check"}, [3]int{7, 1, 1}},
		{"incident 1 replayed", func(t *testing.T) []sim.TraceEvent {
			return replay(t, "../scenarios/corpus/incident-1-crio-1.33.0-crash.yaml")
		}, []string{"kubelet", "crio", "nft", "supervisor", "node", "check"}, [3]int{25, 0, 3}},
		{"incident 1 workaround, no violation", func(t *testing.T) []sim.TraceEvent {
			return replay(t, "../scenarios/corpus/incident-1-workaround-disable-hostport-mapping.yaml")
		}, []string{"kubelet", "crio", "supervisor", "node", "check"}, [3]int{5, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := tt.events(t)
			doc := render(t, tt.name, events)
			checkStructure(t, parse(t, doc), events, tt.lanes)
			s := string(doc)
			for i, class := range []string{`class="event send `, `class="event timer"`, `class="event local violation"`} {
				if got := strings.Count(s, class); got != tt.counts[i] {
					t.Errorf("%d elements with %s, want %d", got, class, tt.counts[i])
				}
			}
		})
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	for _, f := range []string{"../scenarios/corpus/incident-1-crio-1.33.0-crash.yaml", "../scenarios/corpus/incident-1-crio-1.33.0-crash-loop.yaml"} {
		a, b := render(t, f, replay(t, f)), render(t, f, replay(t, f))
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: two replays rendered to different bytes", f)
		}
	}
	events := story(t, "testdata/graceful-stop.jsonl")
	if a, b := render(t, "story", events), render(t, "story", events); !bytes.Equal(a, b) {
		t.Fatal("the same events rendered to different bytes")
	}
}

func TestRenderEscapes(t *testing.T) {
	nasty := `<script>alert("x")</script> & <b>bold</b> 'q'`
	events := []sim.TraceEvent{
		{At: 0, Actor: "<kubelet&>", Peer: "crio", What: nasty},
		{At: time.Second, Actor: "crio", What: "a < b && c > d"},
		{At: time.Second, Kind: sim.ViolationEvent, Actor: "check", Invariant: "<inv&>", What: "VIOLATION <inv&>: " + nasty},
	}
	doc := render(t, "title <&> "+nasty, events)
	if bytes.Contains(doc, []byte("<script>")) || bytes.Contains(doc, []byte("<b>bold")) || bytes.Contains(doc, []byte("<kubelet")) {
		t.Fatalf("event text reached the page unescaped:\n%s", doc)
	}
	p := parse(t, doc)
	checkStructure(t, p, events, []string{"crio", "<kubelet&>", "check"})
	if h1 := byTag(p.root, "h1"); len(h1) != 1 || text(h1[0]) != "title <&> "+nasty {
		t.Errorf("title not shown as given: %v", h1)
	}
}

func TestRenderLongTrace(t *testing.T) {
	long := strings.Repeat("word ", 80) + "END"
	var events []sim.TraceEvent
	for i := range 600 {
		at := time.Duration(i/7) * 100 * time.Millisecond
		switch i % 4 {
		case 0:
			events = append(events, sim.TraceEvent{At: at, Actor: "kubelet", Peer: "crio", What: fmt.Sprintf("call %d", i)})
		case 1:
			events = append(events, sim.TraceEvent{At: at, Actor: "crio", What: long})
		case 2:
			events = append(events, sim.TraceEvent{At: at, Actor: "crio", Peer: "crio", What: "timer"})
		default:
			events = append(events, sim.TraceEvent{At: at, Actor: fmt.Sprintf("pid %d", 100+i%3), What: "exit"})
		}
	}
	doc := render(t, "long", events)
	p := parse(t, doc)
	checkStructure(t, p, events, []string{"kubelet", "crio", "pid 100", "pid 101", "pid 102"})
	for _, row := range byClass(p.root, "local") {
		if label := text(row); len([]rune(label)) > 100 {
			t.Fatalf("a label of %d characters was drawn, want at most 100: %q", len([]rune(label)), label)
		}
	}
	if got := strings.Count(string(doc), `class="time"`); got != 600/7+1 {
		t.Errorf("%d time labels, want one where time advances: %d", got, 600/7+1)
	}
}

func TestRenderEmpty(t *testing.T) {
	p := parse(t, render(t, "nothing", nil))
	if len(byClass(p.root, "lane")) != 0 || !strings.Contains(text(p.root), "The trace is empty") {
		t.Fatal("an empty trace should render a page that says so, with no lanes")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRenderReportsWriteError(t *testing.T) {
	if err := timeline.Render(failingWriter{}, "x", story(t, "testdata/graceful-stop.jsonl")); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Render = %v, want the writer's error", err)
	}
}
