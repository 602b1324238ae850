package fidelity

import (
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/internal/rapidtb"
	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
	"github.com/faultsim/faultsim/sim/node"
)

// packetSeeds and packetChecks fix the property's search: rapid seeds 1..N,
// each with this many drawn scenarios, so CI runs the same cases every time.
const (
	packetSeeds  = 2
	packetChecks = 10
)

// TestHostportPacketsGoWhereTheEvaluatorSays draws small hostport
// scenarios (the model's own generator), runs them with the reference
// manager on a simulated node whose backend is nftables or iptables, and
// installs the node's final rules with the real nft or iptables-restore in
// a private "host" network namespace. A "pod" namespace (every pod address
// of the scenario on a veth, a TCP and a UDP listener on each pod
// address and port that answer with that address and port) and a "client"
// namespace are joined to it by veths. To every (host IP, host port) of
// every mapping, over TCP and UDP, IPv4 and IPv6, real connections are
// made from the client (PREROUTING), from the host itself (OUTPUT) and
// from the pod to its own host port (hairpin): the listener that answers,
// or that none does, must be what netfilter.Evaluate predicts from the
// simulated tables. Evaluate is checked against the model's reading of
// the tables too (hostport.IPTablesForwards and NFTForwards, which the
// invariants use): a forward to a local host address goes to its pod.
func TestHostportPacketsGoWhereTheEvaluatorSays(t *testing.T) {
	need(t, "ip", "nft", "iptables-restore", "ip6tables-restore")
	for _, backend := range []string{"nftables", "iptables"} {
		t.Run(backend, func(t *testing.T) {
			probes := 0
			for seed := uint64(1); seed <= packetSeeds; seed++ {
				rapidtb.WithSeed(seed, func() {
					rapidtb.WithChecks(packetChecks, func() {
						rapid.Check(t, func(rt *rapid.T) { probes += packetProperty(rt, backend) })
					})
				})
			}
			if probes == 0 {
				t.Fatal("no packet was sent: the comparison checked nothing")
			}
			t.Logf("%d connections compared", probes)
		})
	}
}

// The test topology's addresses: the host's on the pod link, the client
// link and its loopback (the first specific host IP of each family; the
// second is routed to the host but not its own), and the client's.
var (
	hostPodSide    = map[netfilter.Family]netip.Addr{netfilter.IPv4: netip.MustParseAddr("10.99.0.1"), netfilter.IPv6: netip.MustParseAddr("fd02::1")}
	podHostSide    = map[netfilter.Family]netip.Addr{netfilter.IPv4: netip.MustParseAddr("10.99.0.2"), netfilter.IPv6: netip.MustParseAddr("fd02::2")}
	hostClientSide = map[netfilter.Family]netip.Addr{netfilter.IPv4: netip.MustParseAddr("10.77.0.1"), netfilter.IPv6: netip.MustParseAddr("fd03::1")}
	clientAddr     = map[netfilter.Family]netip.Addr{netfilter.IPv4: netip.MustParseAddr("10.77.0.2"), netfilter.IPv6: netip.MustParseAddr("fd03::2")}
	hostLoopback   = map[netfilter.Family]netip.Addr{netfilter.IPv4: netip.MustParseAddr(hostport.SpecificHostIPs[netfilter.IPv4][0]),
		netfilter.IPv6: netip.MustParseAddr(hostport.SpecificHostIPs[netfilter.IPv6][0])}
)

// hostIsLocal reports whether an address is the test host's own.
func hostIsLocal(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() {
		return true
	}
	for _, m := range []map[netfilter.Family]netip.Addr{hostPodSide, hostClientSide, hostLoopback} {
		for _, x := range m {
			if x == a {
				return true
			}
		}
	}
	return false
}

// packetProperty runs one drawn scenario and compares every probe; it
// returns how many connections it made.
func packetProperty(rt *rapid.T, backend string) int {
	c := hostport.Generate(sim.RapidChooser{T: rt}, "reference", hostport.GenOptions{MaxSteps: 4, MaxMappings: 3})
	n, err := node.Default().Build()
	if backend == "iptables" {
		n, err = iptablesNode()
	}
	if err != nil {
		rt.Fatal(err)
	}
	h := netfilter.New(n)
	if _, err := n.LookPath("nft"); (err == nil) != (backend == "nftables") {
		rt.Fatalf("the %s node's nft: %v", backend, err)
	}
	m, err := hostport.NewReference(h)
	if err != nil {
		rt.Fatal(err)
	}
	var podIPs []string
	var ever []hostport.Forward // every forward the node held after some step
	for _, s := range c.Steps {
		if s.Op == hostport.OpStop {
			_ = m.Remove(s.Sandbox, nil)
		} else {
			for _, ip := range s.IPs {
				_ = m.Add(s.Sandbox, ip, s.Ports) // a refused conflict changes nothing
				podIPs = append(podIPs, ip)
			}
		}
		for _, f := range nodeForwards(h) {
			if !slices.Contains(ever, f) {
				ever = append(ever, f)
			}
		}
	}
	fwds := nodeForwards(h)
	rt.Logf("scenario:\n%s\nforwards: %v", hostport.Describe(c), fwds)
	probes := packetProbes(rt, h, fwds, ever)
	if len(probes) == 0 {
		return 0
	}
	topo, err := newTopology(podIPs)
	if err != nil {
		rt.Fatal(err)
	}
	defer topo.close()
	if err := installRules(topo.host, h); err != nil {
		rt.Fatal(err)
	}
	if err := topo.listen(ever); err != nil {
		rt.Fatal(err)
	}
	for _, p := range probes {
		t0 := time.Now()
		got := topo.send(p)
		rt.Logf("%s: %s in %v", p, got, time.Since(t0).Round(time.Millisecond))
		if got != p.want {
			rt.Fatalf("%s: answered by %s, the evaluator predicts %s (verdict %+v)\nsimulated tables:\n%s", p, got, p.want, p.verdict, h.Dump())
		}
	}
	return len(probes)
}

// packetProbe is one connection the test makes and the answer it predicts.
type packetProbe struct {
	path    string // client, host or hairpin
	pkt     netfilter.Packet
	verdict netfilter.Verdict
	want    string // the answering listener's address:port, or "none"
}

func (p packetProbe) String() string {
	return fmt.Sprintf("%s %s from the %s (%s) to %s", p.pkt.Family, p.pkt.Proto, p.path, p.pkt.Src, netip.AddrPortFrom(p.pkt.Dst, p.pkt.DstPort))
}

// nodeForwards is what the model reads the node to forward, both
// backends and families (as the invariants read it).
func nodeForwards(h *netfilter.Tables) []hostport.Forward {
	var out []hostport.Forward
	for _, f := range netfilter.Families {
		out = append(out, hostport.IPTablesForwards(h.IPTablesState(f), f)...)
		out = append(out, hostport.NFTForwards(h.NFTState(f, hostport.NFTTable), f)...)
	}
	return out
}

// packetProbes lists the connections to every host endpoint a forward
// used at some step (ever), over TCP and UDP: to each host address it
// names (both the client-side and the loopback address when it names
// none), from the client, the host and each pod it sent to, with what the
// evaluator predicts. A live forward (fwds) to a local host address must
// be predicted to reach its pod: the evaluator agrees with the model.
func packetProbes(rt *rapid.T, h *netfilter.Tables, fwds, ever []hostport.Forward) []packetProbe {
	var out []packetProbe
	seen := map[string]bool{}
	for _, f := range ever {
		if f.Proto != "tcp" && f.Proto != "udp" {
			continue // SCTP is not sent (FIDELITY.md)
		}
		dsts := []netip.Addr{hostClientSide[f.Family], hostLoopback[f.Family]}
		if f.HostIP != "" {
			dsts = []netip.Addr{netip.MustParseAddr(f.HostIP)}
		}
		pod := netip.MustParseAddr(f.PodIP)
		for _, dst := range dsts {
			for _, proto := range []string{"tcp", "udp"} {
				for _, path := range []string{"client", "host", "hairpin"} {
					pkt := netfilter.Packet{Family: f.Family, Proto: proto, Dst: dst, DstPort: uint16(f.HostPort), Local: path == "host"}
					switch path {
					case "client":
						pkt.Src = clientAddr[f.Family]
					case "host":
						// A host socket reaches OUTPUT only through a route;
						// the host has none to an address not its own.
						if !hostIsLocal(dst) {
							continue
						}
						pkt.Src = dst // a local destination's source is itself
					case "hairpin":
						pkt.Src = pod
					}
					v, err := h.Evaluate(pkt, hostIsLocal)
					if err != nil {
						rt.Fatal(err)
					}
					want := "none"
					// A hairpin packet not masqueraded comes back to the pod
					// from its own address: the kernel drops it (martian).
					if v.DNAT.IsValid() && (path != "hairpin" || v.Masquerade) {
						want = v.DNAT.String()
					}
					p := packetProbe{path: path, pkt: pkt, verdict: v, want: want}
					if key := p.String(); !seen[key] {
						seen[key] = true
						out = append(out, p)
					}
				}
			}
		}
	}
	for _, f := range fwds {
		for _, dst := range []netip.Addr{hostClientSide[f.Family], hostLoopback[f.Family]} {
			if f.HostIP != "" {
				dst = netip.MustParseAddr(f.HostIP)
			}
			pkt := netfilter.Packet{Family: f.Family, Proto: f.Proto, Src: clientAddr[f.Family], Dst: dst, DstPort: uint16(f.HostPort)}
			v, err := h.Evaluate(pkt, hostIsLocal)
			if err != nil {
				rt.Fatal(err)
			}
			if hostIsLocal(dst) && v.DNAT != netip.AddrPortFrom(netip.MustParseAddr(f.PodIP), uint16(f.PodPort)) {
				rt.Fatalf("the model reads forward %s from the tables, the evaluator sends %s to %v", f, dst, v.DNAT)
			}
		}
	}
	return out
}

// installRules loads the simulated node's rules into the real host
// namespace: each family's iptables nat table with iptables-restore, each
// nftables table as knftables' fake dumps it, with nft -f.
func installRules(host *nsThread, h *netfilter.Tables) error {
	return host.do(func() error {
		for _, f := range netfilter.Families {
			if tab := h.IPTablesState(f); tab != nil {
				if _, err := loadReal(f, tab); err != nil {
					return err
				}
			}
			if fk := h.NFTState(f, hostport.NFTTable); fk != nil {
				dump := fk.Dump()
				cmd := exec.Command("nft", "-f", "-")
				cmd.Stdin = strings.NewReader(dump)
				if out, err := cmd.CombinedOutput(); err != nil {
					return fmt.Errorf("nft -f: %v: %s\nruleset:\n%s", err, out, dump)
				}
			}
		}
		return nil
	})
}
