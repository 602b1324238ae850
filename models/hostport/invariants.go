package hostport

import (
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// The invariants of the hostport model. They state what every correct
// hostport manager guarantees, never a particular bug.
var (
	InvForwarding = sim.Invariant{Name: "forwarding-matches-live-mappings",
		Summary: "the node forwards exactly the live sandboxes' mappings with host port 1-65535 on every family it supports"}
	InvDeleteLeavesNothing = sim.Invariant{Name: "delete-leaves-nothing",
		Summary: "after a sandbox's stop succeeded, no forwarding of it is left on the node"}
	InvRefusals = sim.Invariant{Name: "refuses-only-conflicts",
		Summary: "RunPodSandbox fails exactly when a mapping conflicts (same family, protocol, host port, overlapping host IP), is invalid (> 65535) or a tool fails"}
	InvFailedChangesNothing = sim.Invariant{Name: "failed-request-changes-nothing",
		Summary: "a refused RunPodSandbox leaves what the node forwards as it was"}
	InvCrashLoop = sim.Invariant{Name: "crash-loop",
		Summary: "the daemon does not crash again on every restart until systemd gives up (start limit hit)"}
)

// Invariants lists every invariant the model checks, the runner's included.
func Invariants() []sim.Invariant {
	return []sim.Invariant{sim.CrashInvariant, InvCrashLoop, InvForwarding, InvDeleteLeavesNothing,
		InvRefusals, InvFailedChangesNothing, sim.HangInvariant, sim.ConvergedInvariant, sim.RunawayInvariant}
}

// sandboxState is what kubelet knows of a sandbox.
type sandboxState int

const (
	live     sandboxState = iota + 1 // RunPodSandbox succeeded
	stopping                         // StopPodSandbox called, not yet confirmed
	gone                             // StopPodSandbox succeeded
)

type oracleSandbox struct {
	id     string
	owner  string // SandboxHash(id), the tag of its forwards
	ips    []string
	addrs  []netip.Addr // ips parsed (the zero Addr for an unparsable one)
	state  sandboxState
	expect []Forward
}

// oracle is the spec: what the node must forward, computed from the
// requests kubelet made and their outcomes, never from the implementation.
type oracle struct {
	disabled  bool
	supported familySet
	sandboxes []*oracleSandbox
	// seen and sorted are what the node forwarded at host generation gen
	// (valid when cached): read once per change, not once per event.
	seen, sorted []Forward
	gen          uint64
	cached       bool
	clean        bool // see changes
	// probes are the host endpoints requests named, which observe sends
	// packets to, results where they went; local the host IPs named.
	probes  []probe
	results []probeResult // per probe: what observe last found
	bufs    *oracleBufs
	local   []netip.Addr
	evalErr error // a rule observe could not evaluate
	// changes counts forwards' readings and the changes to sandboxes and
	// their states; clean says check found nothing at change cleanAt, so it
	// finds nothing until the next.
	changes, cleanAt uint64
}

// forwards is observe(h), reused while the host's netfilter state is unchanged.
// The caller must not modify the slice.
func (o *oracle) forwards(h *netfilter.Tables) []Forward {
	if g := h.Generation(); !o.cached || g != o.gen {
		// Nothing keeps the last reading (sortedForwards copies it), so
		// its array is reused.
		o.seen, o.evalErr = o.observe(o.seen[:0], h)
		o.sorted, o.gen, o.cached = nil, g, true
		o.changes++
	}
	return o.seen
}

// sortedForwards is what the node forwards in a stable order, reused as
// forwards is. The caller must not modify the slice.
func (o *oracle) sortedForwards(h *netfilter.Tables) []Forward {
	fs := o.forwards(h)
	if o.sorted == nil {
		o.sorted = sortForwards(slices.Clone(fs))
	}
	return o.sorted
}

func newOracle(h *netfilter.Tables, cfg Config) *oracle {
	o := &oracle{disabled: cfg.DisableHostportMapping}
	o.bufs = takeBuffers()
	o.probes, o.results, o.seen = o.bufs.probes[:0], o.bufs.results[:0], o.bufs.seen[:0]
	if cfg.DisableHostportMapping {
		return o
	}
	for _, f := range netfilter.Families {
		bin := "iptables"
		if f == netfilter.IPv6 {
			bin = "ip6tables"
		}
		_, iptErr := h.Node().LookPath(bin)
		nft, nftErr := h.Node().LookPath("nft")
		if iptErr == nil || (nftErr == nil && nft.Version.AtLeast(netfilter.MinNFTVersion)) {
			o.supported.add(f)
		}
	}
	return o
}

// oracleBufs are the slices an oracle grows in a run, given to the next
// oracle when it is released: they are a good part of what a run allocates.
type oracleBufs struct {
	probes  []probe
	results []probeResult
	seen    []Forward
}

// oracleBuffers is a pool of *oracleBufs; idle (its owner) puts an empty
// one in its place, which runs still in flight may use as well.
var oracleBuffers atomic.Pointer[sync.Pool]

func init() { oracleBuffers.Store(new(sync.Pool)) }

// takeBuffers is a released oracle's slices, or new ones.
func takeBuffers() *oracleBufs {
	if b, ok := oracleBuffers.Load().Get().(*oracleBufs); ok {
		return b
	}
	return &oracleBufs{probes: make([]probe, 0, 16)}
}

// release gives the oracle's slices to the next one; it is not used after.
func (o *oracle) release() {
	b := o.bufs
	if b == nil {
		return
	}
	b.probes, b.results, b.seen = o.probes[:0], o.results[:0], o.seen[:0]
	clear(b.probes[:cap(b.probes)]) // nothing a run made stays reachable
	clear(b.results[:cap(b.results)])
	clear(b.seen[:cap(b.seen)])
	*o = oracle{}
	oracleBuffers.Load().Put(b)
}

// byOwner returns the latest sandbox whose forwards carry owner.
func (o *oracle) byOwner(owner string) *oracleSandbox {
	for i := len(o.sandboxes) - 1; i >= 0; i-- {
		if o.sandboxes[i].owner == owner {
			return o.sandboxes[i]
		}
	}
	return nil
}

// add records a sandbox kubelet ran.
func (o *oracle) add(sb *oracleSandbox) {
	o.sandboxes = append(o.sandboxes, sb)
	o.changes++
}

// setState records what kubelet now knows of sb.
func (o *oracle) setState(sb *oracleSandbox, st sandboxState) {
	if sb.state != st {
		sb.state = st
		o.changes++
	}
}

func (o *oracle) find(id string) *oracleSandbox {
	for _, sb := range o.sandboxes {
		if sb.id == id && sb.state != gone {
			return sb
		}
	}
	return nil
}

// expected returns the forwards a request asks for on supported families,
// whether it is invalid, and what it conflicts with: "hard" conflicts with
// live sandboxes or within itself, "soft" ones with stopping sandboxes
// (whose forwards may already be gone, so either outcome is allowed).
func (o *oracle) expected(id string, ips []string, ms []*PortMapping) (want []Forward, invalid, hard, soft bool) {
	// With hostport mapping disabled the daemon does not look at mappings.
	invalid = !o.disabled && validate(ms) != nil
	want = make([]Forward, 0, len(ips)*len(ms))
	for _, ip := range ips {
		fam, err := FamilyOf(ip)
		if err != nil || !o.supported.has(fam) {
			continue
		}
		want, _ = appendForwards(want, id, ip, ms, false)
	}
	if conflicts(want, nil) != nil {
		hard = true
	}
	for _, sb := range o.sandboxes {
		if sb.state == gone {
			continue
		}
		if conflicts(want, sb.expect) != nil {
			if sb.state == live {
				hard = true
			} else {
				soft = true
			}
		}
	}
	return want, invalid, hard, soft
}

// check compares the node with the spec. It skips the invariants reported
// says are broken already: the runner keeps only the first violation of each.
func (o *oracle) check(h *netfilter.Tables, now time.Duration, reported func(string) bool) []sim.Violation {
	seen := o.forwards(h)
	// What check finds depends on the reading and the sandboxes alone, and
	// an invariant once reported stays reported: a clean check holds until
	// one of them changes.
	if o.clean && o.cleanAt == o.changes {
		return nil
	}
	vs := o.judge(seen, now, reported)
	o.clean, o.cleanAt = len(vs) == 0, o.changes
	return vs
}

// judge is check's verdict on seen, what the node forwards.
func (o *oracle) judge(seen []Forward, now time.Duration, reported func(string) bool) []sim.Violation {
	var vs []sim.Violation
	if o.evalErr != nil && !reported(InvForwarding.Name) {
		return append(vs, sim.Violation{Invariant: InvForwarding.Name, At: now,
			Message: fmt.Sprintf("cannot tell what the node forwards: %v", o.evalErr)})
	}
	for _, f := range seen {
		if reported(InvDeleteLeavesNothing.Name) {
			break
		}
		sb := o.byOwner(f.Owner)
		if sb != nil && sb.state == gone {
			vs = append(vs, sim.Violation{Invariant: InvDeleteLeavesNothing.Name, At: now,
				Message: fmt.Sprintf("sandbox %s was stopped but the node still forwards %s", sb.id, f)})
			break
		}
	}
	if reported(InvForwarding.Name) {
		return vs
	}
	for _, f := range seen {
		sb := o.byOwner(f.Owner)
		if sb == nil || sb.state == gone || !slices.Contains(sb.expect, f) {
			vs = append(vs, sim.Violation{Invariant: InvForwarding.Name, At: now,
				Message: fmt.Sprintf("the node forwards %s, which no live sandbox asked for", f)})
			return vs
		}
	}
	for _, sb := range o.sandboxes {
		if sb.state != live {
			continue
		}
		for _, f := range sb.expect {
			if !forwarded(seen, f) {
				vs = append(vs, sim.Violation{Invariant: InvForwarding.Name, At: now,
					Message: fmt.Sprintf("sandbox %s asked for %s but the node does not forward it", sb.id, f)})
				return vs
			}
		}
	}
	return vs
}
