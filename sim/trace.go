package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// TraceEvent is one line of a trace: what happened, when, and where.
type TraceEvent struct {
	// At is the virtual time of the event.
	At time.Duration `json:"at"`
	// Actor is who acted: "kubelet", "crio", "supervisor", "node", "check".
	Actor string `json:"actor"`
	// To is the actor a message or signal went to ("" for a local event);
	// a timeline draws it as an arrow from Actor to To.
	To string `json:"to,omitempty"`
	// What is the event, in the domain's words.
	What string `json:"what"`
}

// String renders the event as one stable text line.
func (e TraceEvent) String() string {
	if e.To != "" {
		return fmt.Sprintf("%10s %-10s -> %s: %s", FormatDuration(e.At), e.Actor, e.To, e.What)
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

// Add records an event.
func (t *Trace) Add(at time.Duration, actor, format string, args ...any) {
	if t.Off {
		return
	}
	what := format
	if len(args) > 0 {
		what = fmt.Sprintf(format, args...)
	}
	t.events = append(t.events, TraceEvent{At: at, Actor: actor, What: what})
}

// Send records a message or signal from one actor to another.
func (t *Trace) Send(at time.Duration, from, to, format string, args ...any) {
	if t.Off {
		return
	}
	what := format
	if len(args) > 0 {
		what = fmt.Sprintf(format, args...)
	}
	t.events = append(t.events, TraceEvent{At: at, Actor: from, To: to, What: what})
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
