// Package timeline draws a simulation trace as a sequence diagram: one
// self-contained static HTML file with inline SVG, a lane per actor, messages
// and signals as arrows between lanes, timers as self-arrows, and broken
// invariants marked in red.
//
// The vertical axis is the trace order, one row per event, labelled with the
// virtual time (shown where it advances), so events that happen at the same
// instant keep the order the scheduler gave them. Long texts are cut to fit a
// row; the full text is in each row's tooltip and in the plain trace at the
// bottom of the page. The file needs no JavaScript, network or web font, and
// the same events always give the same bytes.
//
// How events are drawn, by their kind (sim.TraceEvent.Kind; the text is
// never read to decide):
//
//   - a note: a dot in the actor's lane with its text;
//   - a timer (Peer == Actor): a self-arrow;
//   - a message: an arrow from Actor's lane to Peer's; a signal likewise,
//     in its own colour;
//   - a violation: a red row, also listed at the top of the page with a
//     link to the row, named by the event's Invariant;
//   - a crash: in orange.
//
// An event built without a kind is a message when it has a peer and a note
// otherwise.
//
// Lanes come in the order of a call through the runtime stack (kubelet, CRI
// server, monitor, OCI runtime, systemd, processes), then the node's own
// actors (supervisor, node) and the invariant checker last; actors of the
// same rank keep their order of first appearance. faultsim's replay command
// writes a timeline with --timeline FILE.
package timeline
