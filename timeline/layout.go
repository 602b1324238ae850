package timeline

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/faultsim/faultsim/sim"
)

// Lane ranks: a call goes down the runtime stack from left to right, and the
// node's own actors and the invariant checker come last.
const (
	rankKubelet = iota
	rankCRI
	rankMonitor
	rankRuntime
	rankSystemd
	rankProcess // processes ("pid 42"), containers and any actor not known below
	rankSupervisor
	rankNode
	rankCheck
)

// knownActors maps an actor's first word (lower case, up to a space, "-",
// "(" or ":") to its lane rank.
var knownActors = map[string]int{
	"kubelet":    rankKubelet,
	"crio":       rankCRI,
	"cri":        rankCRI,
	"containerd": rankCRI,
	"conmon":     rankMonitor,
	"shim":       rankMonitor,
	"crun":       rankRuntime,
	"runc":       rankRuntime,
	"kata":       rankRuntime,
	"youki":      rankRuntime,
	"runtime":    rankRuntime,
	"oci":        rankRuntime,
	"systemd":    rankSystemd,
	"supervisor": rankSupervisor,
	"node":       rankNode,
	"kernel":     rankNode,
	"check":      rankCheck,
}

// rank returns the lane rank of an actor from its first word: "crio (CRI
// server)" ranks as "crio", "cri-o" as "cri", "pid 42" as a process. An actor
// naming a shim ("containerd-shim-runc-v2") is a monitor, as conmon is,
// though its first word is containerd.
func rank(actor string) int {
	a := strings.ToLower(strings.TrimSpace(actor))
	if strings.Contains(a, "shim") {
		return rankMonitor
	}
	first := a
	if i := strings.IndexAny(a, " -(:"); i >= 0 {
		first = a[:i]
	}
	if r, ok := knownActors[first]; ok {
		return r
	}
	return rankProcess
}

// lanes returns the actors of a trace, senders and recipients, ordered by
// rank and then by first appearance.
func lanes(events []sim.TraceEvent) []string {
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
		all = append(all, lane{name, rank(name), len(all)})
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
