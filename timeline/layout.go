package timeline

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/faultsim/faultsim/sim"
)

// simActors are the simulator's own actors (sim.Supervisor, the node and
// the invariant checker), drawn last in this order.
var simActors = []string{"supervisor", "node", "check"}

// rank returns an actor's lane rank: its place among the model's lanes
// (a lane "shim" takes "shim", "shim-pod1", "shim pod1" and "shim/pod1"),
// then every other actor
// (processes, containers), then the simulator's own.
func rank(actor string, order []string) int {
	for i, l := range order {
		if actor == l || strings.HasPrefix(actor, l+"-") || strings.HasPrefix(actor, l+" ") || strings.HasPrefix(actor, l+"/") {
			return i
		}
	}
	if i := slices.Index(simActors, actor); i >= 0 {
		return len(order) + 1 + i
	}
	return len(order)
}

// laneOrder returns the actors of a trace, senders and recipients, ordered by
// rank and then by first appearance.
func laneOrder(events []sim.TraceEvent, order []string) []string {
	type lane struct {
		name        string
		rank, first int
	}
	var all []lane
	seen := map[string]bool{}
	add := func(name string) {
		if name == "" || seen[name] {
			return
		}
		seen[name] = true
		all = append(all, lane{name, rank(name, order), len(all)})
	}
	for _, e := range events {
		add(e.Actor)
		add(e.Peer)
	}
	slices.SortFunc(all, func(a, b lane) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.first, b.first))
	})
	names := make([]string, len(all))
	for i, l := range all {
		names[i] = l.name
	}
	return names
}

// kind is how an event is drawn.
type kind int

const (
	kindLocal kind = iota
	kindCrash
	kindViolation
	kindTimer
	kindMessage
	kindSignal
)

// class is the kind's CSS class in the SVG.
func (k kind) class() string {
	return [...]string{"local", "local crash", "local violation", "timer", "send message", "send signal"}[k]
}

// classify tells how an event is drawn, from its kind; for a violation it
// also returns the invariant's name.
func classify(e sim.TraceEvent) (kind, string) {
	switch e.Kind {
	case sim.Timer:
		return kindTimer, ""
	case sim.Signal:
		return kindSignal, ""
	case sim.Message, "":
		// An event built without a kind is a message when it has a peer.
		switch {
		case e.Peer == "":
			return kindLocal, ""
		case e.Peer == e.Actor:
			return kindTimer, ""
		}
		return kindMessage, ""
	case sim.ViolationEvent:
		return kindViolation, e.Invariant
	case sim.CrashEvent:
		return kindCrash, ""
	}
	return kindLocal, ""
}

// clean makes text safe to draw on one line: valid UTF-8, control
// characters as spaces. Escaping for HTML is done when writing.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// cut shortens text to at most max runes, ending it with "…" when cut.
func cut(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:max-1]), " ") + "…"
}
