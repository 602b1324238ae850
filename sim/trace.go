package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// EventKind says what a trace event is, so that readers (de-duplication,
// the timeline, reports) never parse its text.
type EventKind string

// The kinds of trace event.
const (
	// Note is something an actor did or saw on its own.
	Note EventKind = "note"
	// Message is a call or a reply from Actor to Peer.
	Message EventKind = "message"
	// Signal is a signal sent by Actor to the process Peer.
	Signal EventKind = "signal"
	// Timer is an actor waking itself up (Peer == Actor).
	Timer EventKind = "timer"
	// FaultEvent is a fault taking effect on the node.
	FaultEvent EventKind = "fault"
	// CrashEvent is a panic caught in simulated code; Site says where.
	CrashEvent EventKind = "crash"
	// ViolationEvent is a broken invariant; Invariant names it.
	ViolationEvent EventKind = "violation"
)

// TraceEvent is one line of a trace: what happened, when, who did it, and
// to whom.
type TraceEvent struct {
	// At is the virtual time of the event.
	At time.Duration `json:"at"`
	// Kind says what the event is.
	Kind EventKind `json:"kind"`
	// Actor is who acted: "kubelet", "crio", "supervisor", "node", "check".
	Actor string `json:"actor"`
	// Peer is the actor a message or signal went to ("" for a local event);
	// a timeline draws it as an arrow from Actor to Peer.
	Peer string `json:"peer,omitempty"`
	// What is the event, in the domain's words.
	What string `json:"what"`
	// Invariant is the invariant a violation broke.
	Invariant string `json:"invariant,omitempty"`
	// Site is where a crash happened.
	Site *Site `json:"site,omitempty"`
}

// String renders the event as one stable text line.
func (e TraceEvent) String() string {
	if e.Peer != "" {
		return fmt.Sprintf("%10s %-10s -> %s: %s", FormatDuration(e.At), e.Actor, e.Peer, e.What)
	}
	return fmt.Sprintf("%10s %-10s %s", FormatDuration(e.At), e.Actor, e.What)
}

// Trace is the ordered record of a simulation run. The zero value is an
// empty trace ready to use. Its Hash identifies the run: the same scenario
// and seed always produce the same hash.
type Trace struct {
	events []TraceEvent
	// Off disables recording (for speed in campaigns); Hash still works on
	// what was recorded.
	Off bool
}

func sprintf(format string, args []any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// Add records a note: something actor did or saw on its own.
func (t *Trace) Add(at time.Duration, actor, format string, args ...any) {
	if t.Off {
		return
	}
	t.events = append(t.events, TraceEvent{At: at, Kind: Note, Actor: actor, What: sprintf(format, args)})
}

// Send records a message (a call or a reply) from one actor to another; a
// message an actor sends itself is a timer.
func (t *Trace) Send(at time.Duration, from, to, format string, args ...any) {
	if t.Off {
		return
	}
	kind := Message
	if from == to {
		kind = Timer
	}
	t.events = append(t.events, TraceEvent{At: at, Kind: kind, Actor: from, Peer: to, What: sprintf(format, args)})
}

// Signal records a signal sent from one actor to a process.
func (t *Trace) Signal(at time.Duration, from, to, format string, args ...any) {
	if t.Off {
		return
	}
	t.events = append(t.events, TraceEvent{At: at, Kind: Signal, Actor: from, Peer: to, What: sprintf(format, args)})
}

// Fault records a fault taking effect, as the node's.
func (t *Trace) Fault(at time.Duration, format string, args ...any) {
	if t.Off {
		return
	}
	t.events = append(t.events, TraceEvent{At: at, Kind: FaultEvent, Actor: "node", What: sprintf(format, args)})
}

// Crash records a crash during the named event.
func (t *Trace) Crash(at time.Duration, during string, c *Crash) {
	if t.Off {
		return
	}
	site := c.Site
	t.events = append(t.events, TraceEvent{At: at, Kind: CrashEvent, Actor: "node",
		What: "CRASH during " + during + ": " + c.Error(), Site: &site})
}

// Violation records a broken invariant, as the checker's.
func (t *Trace) Violation(v Violation) {
	if t.Off {
		return
	}
	t.events = append(t.events, TraceEvent{At: v.At, Kind: ViolationEvent, Actor: "check",
		What: "VIOLATION " + v.Invariant + ": " + v.Message, Invariant: v.Invariant, Site: v.Site})
}

// Events returns the recorded events.
func (t *Trace) Events() []TraceEvent { return t.events }

// Text renders the trace, one event a line.
func (t *Trace) Text() string {
	var b strings.Builder
	for _, e := range t.events {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// JSON renders the trace as JSON lines, one event a line.
func (t *Trace) JSON() string {
	var b strings.Builder
	for _, e := range t.events {
		line, _ := json.Marshal(e) // a TraceEvent always marshals
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// Hash returns a short hex SHA-256 of the trace text.
func (t *Trace) Hash() string {
	sum := sha256.Sum256([]byte(t.Text()))
	return hex.EncodeToString(sum[:8])
}

// FormatDuration prints a virtual time compactly and stably ("1.5s", "250ms", "0s").
func FormatDuration(d time.Duration) string { return d.String() }
