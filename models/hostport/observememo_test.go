package hostport

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
	"github.com/faultsim/faultsim/sim/node"
)

// TestObserveNeverReusesAStaleProbe: observe re-sends only the probes
// whose family's rules or local addresses changed; after every random
// change (forwards added and removed through either family's nftables,
// an iptables rule, new probes and host IPs) it finds what an oracle that
// never observed before finds.
func TestObserveNeverReusesAStaleProbe(t *testing.T) {
	seeds := 20
	if testing.Short() {
		seeds = 5
	}
	pods := map[netfilter.Family][]string{netfilter.IPv4: {"10.88.0.2", "10.88.0.3"}, netfilter.IPv6: {"fd00::2", "fd00::3"}}
	hostIPs := map[netfilter.Family][]string{netfilter.IPv4: {"192.0.2.10", ""}, netfilter.IPv6: {"2001:db8::10", ""}}
	reused := 0
	for seed := range uint64(seeds) {
		rng := rand.New(rand.NewPCG(seed, 2))
		h, backends := nftHost(t, "iptables", "ip6tables")
		o := newOracle(h, Config{})
		for step := range 40 {
			f := netfilter.Families[rng.IntN(2)]
			port := int32(8080 + rng.IntN(3))
			pod, hostIP := pods[f][rng.IntN(2)], hostIPs[f][rng.IntN(2)]
			proto := []string{"tcp", "udp"}[rng.IntN(2)]
			var what string
			switch rng.IntN(4) {
			case 0:
				m := &PortMapping{Protocol: runtimeapi.Protocol(runtimeapi.Protocol_value[map[string]string{"tcp": "TCP", "udp": "UDP"}[proto]]),
					HostPort: port, ContainerPort: 80, HostIp: hostIP}
				o.addProbes([]*PortMapping{m})
				what = "probe " + FormatMapping(m)
			case 1:
				fw := Forward{Family: f, Proto: proto, HostIP: hostIP, HostPort: port, PodIP: pod, PodPort: 80, Owner: SandboxHash(pod)}
				if err := backends[f].install([]Forward{fw}); err != nil {
					t.Fatal(err)
				}
				what = "add " + fw.String()
			case 2:
				if err := backends[f].remove(pod); err != nil {
					t.Fatal(err)
				}
				what = "remove " + pod
			case 3:
				rule := []string{"-p", proto, "--dport", fmt.Sprint(port), "-j", "DNAT", "--to-destination", fmt.Sprintf("[%s]:90", pod)}
				if f == netfilter.IPv4 {
					rule[len(rule)-1] = pod + ":90"
				}
				if err := h.IPTables(f).Apply([]netfilter.IPTablesOp{{Kind: netfilter.InsertRule, Chain: "PREROUTING", Rule: rule}}); err != nil {
					t.Fatal(err)
				}
				what = fmt.Sprint("iptables ", rule)
			}
			before := slices.Clone(o.results)
			got, gerr := o.observe(nil, h)
			fresh := *o
			fresh.results = nil
			want, werr := fresh.observe(nil, h)
			if !slices.Equal(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Fatalf("seed %d step %d (%s %s): observe found %v, %v; from nothing %v, %v", seed, step, f, what, got, gerr, want, werr)
			}
			for i := range before {
				if before[i] == o.results[i] {
					reused++
				}
			}
		}
	}
	if reused == 0 {
		t.Error("observe never reused a probe's result: the test exercises no memo")
	}
}

// TestReleasedOracleBuffersCarryNothing: runs reuse the slices of the
// oracles before them; cases run in one order and then in the other (each
// on what a different case left) give the same verdicts and traces.
func TestReleasedOracleBuffersCarryNothing(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 60
	}
	run := func(seed uint64) string {
		c := Generate(sim.NewPRNG(seed), "reference", GenOptions{})
		if seed%2 == 0 {
			c.Variant = "zero-port-unfiltered"
		}
		r, err := Run(c, nil, sim.NewPRNG(seed), true)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(r.Violations, r.Trace.Hash())
	}
	first := make([]string, n)
	for i := range first {
		first[i] = run(uint64(i + 1))
	}
	for i := n - 1; i >= 0; i-- {
		if got := run(uint64(i + 1)); got != first[i] {
			t.Fatalf("seed %d: %s after the later cases, %s before them", i+1, got, first[i])
		}
	}
}

// TestCheckNeverReusesAStaleVerdict: check answers "nothing" again without
// judging while neither what the node forwards nor the sandboxes changed;
// after every random change (forwards installed and removed, probes added,
// sandboxes run and stopped, invariants reported) it finds what a check
// that never judged before finds.
func TestCheckNeverReusesAStaleVerdict(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 10
	}
	pods := []string{"10.88.0.2", "10.88.0.3", "fd00::2"}
	invariants := []string{InvForwarding.Name, InvDeleteLeavesNothing.Name}
	reused, found := 0, 0
	for seed := range uint64(seeds) {
		rng := rand.New(rand.NewPCG(seed, 3))
		h, backends := nftHost(t)
		o := newOracle(h, Config{})
		reported := map[string]bool{}
		isReported := func(name string) bool { return reported[name] }
		for step := range 60 {
			pod := pods[rng.IntN(len(pods))]
			f, _ := FamilyOf(pod)
			m := &PortMapping{Protocol: runtimeapi.Protocol_TCP, HostPort: int32(8080 + rng.IntN(2)), ContainerPort: 80}
			fw, _ := forwardsFor(pod, pod, []*PortMapping{m}, false)
			var what string
			switch rng.IntN(7) {
			case 0:
				o.addProbes([]*PortMapping{m})
				what = "probe " + FormatMapping(m)
			case 1:
				if err := backends[f].install(fw); err != nil {
					t.Fatal(err)
				}
				what = "install " + fw[0].String()
			case 2:
				if err := backends[f].remove(pod); err != nil {
					t.Fatal(err)
				}
				what = "remove " + pod
			case 3:
				o.add(&oracleSandbox{id: pod, owner: SandboxHash(pod), ips: []string{pod}, state: live, expect: fw})
				what = "run " + pod
			case 4, 5:
				if len(o.sandboxes) == 0 {
					continue
				}
				sb := o.sandboxes[rng.IntN(len(o.sandboxes))]
				st := []sandboxState{stopping, gone}[rng.IntN(2)]
				o.setState(sb, st)
				what = fmt.Sprintf("sandbox %s state %d", sb.id, st)
			case 6:
				inv := invariants[rng.IntN(len(invariants))]
				reported[inv] = true
				what = "reported " + inv
			}
			now := time.Duration(step) * time.Second
			before := o.clean
			got := o.check(h, now, isReported)
			if before && o.clean {
				reused++
			}
			fresh := *o
			fresh.clean = false
			want := fresh.check(h, now, isReported)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d step %d (%s): check found %v; judging afresh %v", seed, step, what, got, want)
			}
			found += len(want)
		}
	}
	if reused == 0 || found == 0 {
		t.Errorf("%d checks answered from a clean one, %d violations found: the test exercises no memo or finds nothing", reused, found)
	}
}

// nftHost is a Debian node with nft 1.1.1 (and the other tools named, at
// 1.8.10) and an nft backend of each family on it.
func nftHost(t *testing.T, tools ...string) (*netfilter.Tables, map[netfilter.Family]*nftBackend) {
	t.Helper()
	n := node.New("debian", sim.MustVersion("6.1"))
	n.Install("nft", sim.MustVersion("1.1.1"))
	for _, tool := range tools {
		n.Install(tool, sim.MustVersion("1.8.10"))
	}
	h := netfilter.New(n)
	backends := map[netfilter.Family]*nftBackend{}
	for _, f := range netfilter.Families {
		b, err := newNFTBackend(h, f)
		if err != nil {
			t.Fatal(err)
		}
		backends[f] = b
	}
	return h, backends
}
