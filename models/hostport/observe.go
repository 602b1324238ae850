package hostport

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/faultsim/faultsim/sim/netfilter"
)

// The oracle judges what the node forwards by sending probe packets
// through the node's nat rules (netfilter.Tables.Evaluate, checked against
// the real kernel in the fidelity tests), never by reading one
// implementation's chains or maps: any manager whose rules forward what
// was asked passes, whatever its layout, and a rule the packets never
// reach forwards nothing.

// nodeAddr is the node's own address per family: a probe for a mapping on
// every host address is sent to it. No scenario names it.
var nodeAddr = map[netfilter.Family]netip.Addr{
	netfilter.IPv4: netip.MustParseAddr("198.51.100.254"),
	netfilter.IPv6: netip.MustParseAddr("2001:db8:fe::1"),
}

// nodeAddr4 and nodeAddr6 are nodeAddr's, for isLocal's many calls.
var nodeAddr4, nodeAddr6 = nodeAddr[netfilter.IPv4], nodeAddr[netfilter.IPv6]

// clientAddr is where probes come from: a client off the node.
var clientAddr = map[netfilter.Family]netip.Addr{
	netfilter.IPv4: netip.MustParseAddr("198.51.100.77"),
	netfilter.IPv6: netip.MustParseAddr("2001:db8:fe::77"),
}

// probe is one host endpoint the oracle asks the node about: a protocol and
// port on the node's own address (hostIP "") or on a host IP a mapping
// named; dst is the address the packet goes to, and wild, for a host IP,
// the index of the probe of the same port on the node's own address, which
// comes before it.
type probe struct {
	fam    netfilter.Family
	proto  string
	hostIP string
	dst    netip.Addr
	port   uint16
	wild   int
}

// addProbes adds the endpoints a request names (on both families: a
// manager may forward on the family it was not asked for), whether the
// request succeeds or not, so that whatever a refused one left is seen.
func (o *oracle) addProbes(ms []*PortMapping) {
	add := func(p probe) int {
		for i, q := range o.probes {
			if q.port == p.port && q.fam == p.fam && q.proto == p.proto && q.hostIP == p.hostIP {
				return i
			}
		}
		if o.probes == nil {
			o.probes = make([]probe, 0, 16)
		}
		o.probes = append(o.probes, p)
		o.cached = false
		return len(o.probes) - 1
	}
	for _, m := range ms {
		if m.HostPort < 0 || m.HostPort > MaxPort {
			continue // no packet carries such a port
		}
		for _, fam := range netfilter.Families {
			p := probe{fam: fam, proto: ProtoName(m.Protocol), dst: nodeAddr[fam], port: uint16(m.HostPort)}
			wild := add(p)
			if hostIP, ok := normHostIP(m.HostIp, fam); ok && hostIP != "" {
				if a, err := netip.ParseAddr(hostIP); err == nil {
					p.hostIP, p.dst, p.wild = hostIP, a, wild
					add(p)
					if !slices.Contains(o.local, a) {
						o.local = append(o.local, a)
					}
				}
			}
		}
	}
}

// isLocal reports whether an address is the node's: its own, loopback, or
// a host IP a mapping named (a runtime is asked only for addresses the
// node has).
func (o *oracle) isLocal(a netip.Addr) bool {
	if a == nodeAddr4 || a == nodeAddr6 || a.IsLoopback() {
		return true
	}
	for _, l := range o.local {
		if l == a {
			return true
		}
	}
	return false
}

// observe appends to out every forward the node performs at the probed
// endpoints, each attributed to the sandbox whose pod address it sends
// to. A host IP's probe that goes where the same port on the node's own
// address goes is that wildcard forward, not another. An error says a rule
// could not be evaluated.
func (o *oracle) observe(out []Forward, h *netfilter.Tables) ([]Forward, error) {
	var rules *netfilter.Rules // compiled when a probe needs it
	gens := [...]uint64{h.FamilyGeneration(netfilter.IPv4), h.FamilyGeneration(netfilter.IPv6)}
	if n, old := len(o.probes), len(o.results); n > old {
		o.results = slices.Grow(o.results, n-old)[:n]
		clear(o.results[old:])
	}
	for i, p := range o.probes {
		r := &o.results[i]
		// What the rules do to a probe depends on its family's rules and on
		// which addresses are local (o.local only grows).
		if gen := gens[netfilter.FamilyIndex(p.fam)]; !r.valid || r.gen != gen || r.locals != len(o.local) {
			if rules == nil {
				rules = h.Rules()
			}
			v, err := rules.Destination(netfilter.Packet{Family: p.fam, Proto: p.proto, Src: clientAddr[p.fam], Dst: p.dst, DstPort: p.port}, o.isLocal)
			*r = probeResult{valid: true, gen: gen, locals: len(o.local), dest: v.DNAT, err: err}
			if v.DNAT.IsValid() {
				r.pod = o.podIP(v.DNAT.Addr().Unmap())
			}
		}
		if r.err != nil {
			return out, fmt.Errorf("%s %s to %s port %d: %w", p.fam, p.proto, p.dst, p.port, r.err)
		}
		dest := r.dest
		// The wildcard probe comes first: its result is this observation's.
		if !dest.IsValid() || (p.hostIP != "" && o.results[p.wild].dest == dest) {
			continue
		}
		out = append(out, Forward{Family: p.fam, Proto: p.proto, HostIP: p.hostIP, HostPort: int32(p.port),
			PodIP: r.pod, PodPort: int32(dest.Port()), Owner: o.ownerOf(r.pod)})
	}
	return out, nil
}

// probeResult is where a probe went (or why it could not be told) when its
// family's rules were at generation gen and locals host IPs were local.
type probeResult struct {
	valid  bool
	gen    uint64
	locals int
	dest   netip.AddrPort
	pod    string // dest's address as a pod's is written
	err    error
}

// podIP is a written as a pod's address is: a sandbox's own string when
// one has it, else a new one.
func (o *oracle) podIP(a netip.Addr) string {
	for _, sb := range o.sandboxes {
		for i, b := range sb.addrs {
			if b == a {
				return sb.ips[i]
			}
		}
	}
	return a.String()
}

// ownerOf is the tag of the latest sandbox with the pod address, live ones
// first ("" when no request had it).
func (o *oracle) ownerOf(podIP string) string {
	owner := ""
	for _, sb := range o.sandboxes {
		for _, ip := range sb.ips {
			if ip == podIP && (owner == "" || sb.state != gone) {
				owner = sb.owner
			}
		}
	}
	return owner
}

// forwarded reports whether the node forwards f: seen holds it, or f is on
// a host IP and seen holds the same forward on every address, which packets
// to that IP cannot tell apart from it.
func forwarded(seen []Forward, f Forward) bool {
	if slices.Contains(seen, f) {
		return true
	}
	if f.HostIP == "" {
		return false
	}
	f.HostIP = ""
	return slices.Contains(seen, f)
}
