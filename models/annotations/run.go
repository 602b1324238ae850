package annotations

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/faultsim/faultsim/sim"
)

// Settle is how long a run goes on after its last step.
const Settle = time.Second

// Run executes a case with the shims build makes (nil: the case's
// variant). Simultaneous steps are ordered by ch. With trace false only
// violations are recorded (campaign speed).
func Run(c *Case, build Builder, ch sim.Chooser, trace bool) (sim.Result, error) {
	if build == nil {
		v, err := Variants.Lookup(c.Variant)
		if err != nil {
			return sim.Result{}, err
		}
		build = v.Build
	}
	w := &world{node: c.PCI, cfg: c.Config, build: build, sched: sim.NewScheduler(ch), trace: &sim.Trace{Off: !trace},
		oracle: &oracle{node: c.PCI, cfg: c.Config}}
	var last time.Duration
	for i := range c.Steps {
		s := &c.Steps[i]
		last = max(last, s.At)
		switch s.Op {
		case OpCreate:
			w.sched.AtLabel(s.At, sim.L("create ", s.ID), func() { w.create(s) })
		case OpDelete:
			w.sched.AtLabel(s.At, sim.L("delete ", s.ID), func() { w.delete(s.ID) })
		}
	}
	// Calls are synchronous: the run settles as soon as the last step is
	// over, and the liveness phase checks what the shims still hold.
	w.runner = &sim.Runner{Sched: w.sched, Trace: w.trace, OnCrash: w.crashed, Check: w.check, Horizon: last + Settle,
		Calls: &w.calls, Liveness: &sim.Liveness{From: last, Leftovers: w.leftovers}}
	vs := w.runner.Run()
	return sim.Result{Violations: vs, Trace: w.trace, Events: w.runner.Events()}, nil
}

// shimEntry is one sandbox's shim process as containerd knows it.
type shimEntry struct {
	sb   *oracleSandbox
	shim Shim
}

// world is one run: containerd routing requests to per-sandbox shims, and
// the oracle. current is the shim being called, the one a panic kills.
type world struct {
	node    Node
	cfg     Config
	build   Builder
	sched   *sim.Scheduler
	trace   *sim.Trace
	runner  *sim.Runner
	oracle  *oracle
	shims   []*shimEntry
	current *shimEntry
	// calls are containerd's calls to the shims in flight.
	calls sim.Calls
}

func (w *world) entry(sb *oracleSandbox) *shimEntry {
	for _, e := range w.shims {
		if e.sb == sb {
			return e
		}
	}
	return nil
}

func (w *world) report(inv sim.Invariant, format string, args ...any) {
	if w.runner.Reported(inv.Name) {
		return // the runner keeps the first of each: no message to format
	}
	w.runner.Report(violation(inv, w.sched.Now(), format, args...))
}

// tracing reports whether the run records a trace. A trace line's arguments
// are built only when it does: boxing them costs allocations an untraced
// (campaign) run does not need.
func (w *world) tracing() bool { return !w.trace.Off }

// create is containerd's task create: the shim's start command reads the
// spec to find the sandbox (a sandbox or single container starts a new
// shim; a pod container goes to its sandbox's), then the shim creates it.
// The harness reads the spec first, from its memos (decodeSharedBytes); the
// shim then decodes the same bytes itself.
func (w *world) create(s *Step) {
	now := w.sched.Now()
	raw := []byte(s.Spec) // what the shim reads, after the harness
	spec, err := decodeSharedBytes(raw)
	if err != nil {
		w.trace.Add(now, "containerd", "create %s refused by the shim's start: %v", s.ID, err)
		return
	}
	ctype, err := TypeOf(spec)
	if err != nil {
		w.trace.Add(now, "containerd", "create %s refused by the shim's start: %v", s.ID, err)
		return
	}
	sbID := s.ID
	if ctype == PodContainer {
		sbID, _ = SandboxOf(spec)
	}
	actor := shimActor(sbID)
	if w.tracing() {
		w.trace.Send(now, "containerd", actor, "create %s (%s): %s", s.ID, ctype, specSummary{spec})
	}
	if sb, _ := w.oracle.owner(s.ID); sb != nil {
		w.trace.Add(now, "containerd", "create %s refused: the id is in use", s.ID)
		return
	}
	osb := w.oracle.sandbox(sbID)
	ok, why := w.oracle.acceptable(spec, ctype, osb)
	var e *shimEntry
	if ctype == PodContainer {
		if osb == nil || osb.state != live {
			w.trace.Add(now, "containerd", "create %s refused: no running sandbox %q", s.ID, sbID)
			return
		}
		e = w.entry(osb)
	} else {
		if osb != nil && osb.state == live {
			w.trace.Add(now, "containerd", "create %s refused: sandbox %s exists", s.ID, sbID)
			return
		}
		osb = &oracleSandbox{id: sbID, state: live, groups: map[string]*oracleGroup{}}
		e = &shimEntry{sb: osb, shim: w.build(w.node, w.cfg, w.shimLog(actor))}
	}
	var before []Registration // what a failed pod container must leave as it was
	if ctype == PodContainer {
		before = e.shim.Registered()
	}
	w.current = e
	call := w.begin(actor, "create", s.ID)
	err = e.shim.Create(s.ID, raw)
	w.calls.End(call)
	w.current = nil
	if err != nil {
		w.createFailed(s.ID, ctype, e, before, err, ok, why)
		return
	}
	if w.tracing() {
		w.trace.Send(now, actor, "containerd", "create %s ok", s.ID)
	}
	if ctype != PodContainer {
		w.oracle.sandboxes = append(w.oracle.sandboxes, osb)
		w.shims = append(w.shims, e)
	}
	w.oracle.created(osb, s.ID, spec, ctype)
	if msg := roundTrip(e.shim, s.ID); msg != "" {
		w.report(InvRoundTrip, "container %s: %s", s.ID, msg)
	}
}

// shimLog records what a sandbox's shim logs in the trace, as actor; with
// no trace it does nothing.
func (w *world) shimLog(actor string) func(string, ...any) {
	if !w.tracing() {
		return func(string, ...any) {}
	}
	return func(format string, args ...any) { w.trace.Add(w.sched.Now(), actor, format, args...) }
}

// createFailed checks a refused create: it must have been allowed to fail
// (ok false, for the reason why) and must have changed nothing.
func (w *world) createFailed(id string, ctype ContainerType, e *shimEntry, before []Registration, err error, ok bool, why string) {
	now := w.sched.Now()
	w.trace.Send(now, shimActor(e.sb.id), "containerd", "create %s failed: %v", id, err)
	if ok {
		w.report(InvAccepts, "create %s (%s) was refused though it is valid: %v", id, ctype, err)
	} else {
		w.trace.Add(now, "check", "refusal allowed: %s", why)
	}
	if _, left := e.shim.Annotations(id); left {
		w.report(InvFailedCreate, "create %s failed but the shim holds a container %s", id, id)
	}
	if after := e.shim.Registered(); ctype == PodContainer && !slices.Equal(regKeys(before), regKeys(after)) {
		w.report(InvFailedCreate, "create %s failed but changed the PCIe port registrations:\nbefore: %v\nafter:  %v", id, before, after)
	}
}

// delete is containerd's task delete of a container or a whole sandbox.
func (w *world) delete(id string) {
	now := w.sched.Now()
	sb, _ := w.oracle.owner(id)
	if sb == nil {
		w.trace.Add(now, "containerd", "delete %s: not found", id)
		return
	}
	e := w.entry(sb)
	actor := shimActor(sb.id)
	if w.tracing() {
		w.trace.Send(now, "containerd", actor, "delete %s", id)
	}
	w.current = e
	call := w.begin(actor, "delete", id)
	err := e.shim.Delete(id)
	w.calls.End(call)
	w.current = nil
	if err != nil {
		w.report(InvDelete, "delete of container %s failed: %v", id, err)
		return
	}
	if w.tracing() {
		w.trace.Send(now, actor, "containerd", "delete %s ok", id)
	}
	w.oracle.deleted(sb, id)
	if sb.state != live {
		return
	}
	want := make([]string, len(sb.regs))
	for i, r := range sb.regs {
		want[i] = r.port + " " + r.bdf
	}
	if got := regKeys(e.shim.Registered()); !slices.Equal(sortedCopy(got), sortedCopy(want)) {
		w.report(InvDelete, "after deleting %s the PCIe port registrations are %v, want %v", id, got, want)
	}
}

// crashed is told of a panic in the shim being called: the shim process is
// gone, with every container of its sandbox.
func (w *world) crashed(c *sim.Crash) {
	if w.current == nil {
		return
	}
	w.current.sb.state = crashed
	w.calls.EndAll(shimActor(w.current.sb.id)) // its connection closes
	w.trace.Add(w.sched.Now(), "containerd", "shim of sandbox %s died: ttrpc: closed", w.current.sb.id)
	w.current = nil
}

func (w *world) check(now time.Duration) []sim.Violation {
	var vs []sim.Violation
	for _, e := range w.shims {
		if e.sb.state != crashed {
			vs = append(vs, w.oracle.check(e.sb, e.shim, now, w.runner.Reported)...)
		}
	}
	return vs
}

// roundTrip writes a container's spec out and decodes it again; it
// returns what differs from the annotations the shim holds, or "".
func roundTrip(sh Shim, id string) string {
	raw, ok := sh.Spec(id)
	if !ok {
		return "the shim writes no spec for it"
	}
	back, err := decodeSharedBytes(raw)
	if err != nil {
		return fmt.Sprintf("the spec written out does not decode: %v", err)
	}
	held, _ := sh.Annotations(id)
	if len(back.Annotations) != len(held) || !maps.Equal(back.Annotations, held) {
		return fmt.Sprintf("the spec written out decodes to annotations %v, the shim holds %v", back.Annotations, held)
	}
	return ""
}

func regKeys(regs []Registration) []string {
	out := make([]string, len(regs))
	for i, r := range regs {
		out[i] = r.Port + " " + r.BDF
	}
	return out
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// specSummary renders a decoded spec's annotations and devices only when
// a trace prints it.
type specSummary struct{ s *specs.Spec }

func (v specSummary) String() string {
	ann := "annotations absent (nil map)"
	if v.s.Annotations != nil {
		ann = fmt.Sprintf("%d annotations", len(v.s.Annotations))
	}
	return fmt.Sprintf("%s, devices [%s]", ann, strings.Join(DevicePaths(v.s), " "))
}
