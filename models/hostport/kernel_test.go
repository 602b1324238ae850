package hostport

import (
	"context"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/internal/rapidtb"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
	"github.com/faultsim/faultsim/sim/node"
)

// TestKernelsBackendAndForwarding: on every kernel the node knows, CRI-O's
// manager uses nftables when nft is 1.0.1 or later (iptables otherwise),
// and forwards the mapping; a kernel before 5.10 keeps its table without
// the comment, which changes nothing else, and the trace says so.
func TestKernelsBackendAndForwarding(t *testing.T) {
	for _, k := range node.Kernels {
		for _, nftVersion := range []string{"1.0.9", "0.9.8"} {
			t.Run(k+"/nft-"+nftVersion, func(t *testing.T) {
				c := &Case{Variant: "reference", Node: node.Spec{Distro: "debian12-like", Kernel: k,
					Tools: []node.ToolSpec{{Name: "nft", Version: nftVersion}}},
					Steps: []Step{{Op: OpRun, Sandbox: "a", IPs: []string{"10.88.0.2"}, Ports: []*PortMapping{tcp(8080, 80)}}}}
				n, err := StartNode(c)
				if err != nil {
					t.Fatal(err)
				}
				h := netfilter.New(n)
				m, err := NewReference(h)
				if err != nil {
					t.Fatal(err)
				}
				if err := m.Add("a", "10.88.0.2", c.Steps[0].Ports); err != nil {
					t.Fatal(err)
				}
				o := newOracle(h, Config{})
				o.addProbes(c.Steps[0].Ports)
				want, _, _, _ := o.expected("a", []string{"10.88.0.2"}, c.Steps[0].Ports)
				o.sandboxes = append(o.sandboxes, &oracleSandbox{id: "a", owner: SandboxHash("a"), ips: []string{"10.88.0.2"}, state: live, expect: want})
				if vs := o.check(h, 0, func(string) bool { return false }); len(vs) > 0 {
					t.Fatalf("the node does not forward the mapping: %v", vs)
				}
				nftables := NFTForwards(h.NFTState(netfilter.IPv4, NFTTable), netfilter.IPv4)
				usesNFT := nftVersion == "1.0.9"
				if (len(nftables) == 1) != usesNFT {
					t.Fatalf("nftables holds %v, want the mapping there: %v", nftables, usesNFT)
				}
				withComment := usesNFT && h.NFTState(netfilter.IPv4, NFTTable).Table.Comment != nil
				if withComment != (usesNFT && sim.MustVersion(k).AtLeast(node.NFTObjectComments.Since)) {
					t.Errorf("table comment kept = %v on kernel %s", withComment, k)
				}
				// The same run through the daemon passes, and the trace tells
				// what the kernel did without.
				c.Steps = append(c.Steps, Step{At: time.Second, Op: OpStop, Sandbox: "a"})
				r, err := Run(c, nil, sim.NewPRNG(1), true)
				if err != nil || len(r.Violations) > 0 {
					t.Fatalf("%v %v", err, r.Violations)
				}
				said := strings.Contains(r.Trace.Text(), "lacks nft-object-comments (Linux 5.10): kept table ip crio-hostports without comment")
				if said != (usesNFT && !sim.MustVersion(k).AtLeast(node.NFTObjectComments.Since)) {
					t.Errorf("the trace says the comment was dropped = %v:\n%s", said, r.Trace.Text())
				}
			})
		}
	}
}

// destroyRemover is a manager that adds as the reference does and removes
// a sandbox's nftables elements with destroy (delete if present), with no
// fallback for a node without it (neither EmulateDestroy nor a delete).
type destroyRemover struct {
	Manager
	h *netfilter.Tables
}

func newDestroyRemover(h *netfilter.Tables) (Manager, error) {
	m, err := NewReference(h)
	return &destroyRemover{Manager: m, h: h}, err
}

func (d *destroyRemover) Remove(id string, ms []*PortMapping) error {
	ctx := context.Background()
	for _, f := range netfilter.Families {
		nft, err := d.h.NFTables(f, NFTTable)
		if err != nil {
			continue // no nftables: the reference's Remove cleans iptables
		}
		tx := nft.NewTransaction()
		for _, obj := range []struct{ kind, name string }{{"map", "hostports"}, {"map", "hostipports"}, {"set", "hairpins"}} {
			elems, err := nft.ListElements(ctx, obj.kind, obj.name)
			if err != nil && !knftables.IsNotFound(err) {
				return err
			}
			for _, e := range elems {
				if e.Comment == nil || *e.Comment != SandboxHash(id) {
					continue
				}
				del := &knftables.Element{Set: obj.name, Key: e.Key}
				if obj.kind == "map" {
					del = &knftables.Element{Map: obj.name, Key: e.Key}
				}
				tx.Destroy(del)
			}
		}
		if tx.NumOperations() > 0 {
			if err := nft.Run(ctx, tx); err != nil {
				return err
			}
		}
	}
	return d.Manager.Remove(id, ms)
}

// TestDestroyWithoutFallbackIsCaught: a manager whose Remove needs nft
// destroy works on a 6.6 node and is caught by the generic invariants on an
// older kernel (its stop fails forever); the unchanged property finds it
// from scratch and shrinks to a kernel-version fault, a sandbox and its stop.
func TestDestroyWithoutFallbackIsCaught(t *testing.T) {
	remove, err := Register("destroy-remover", "removes with nft destroy, no fallback (test)", newDestroyRemover)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	for _, tt := range []struct {
		kernel string
		want   string // the invariant violated, "" for none
	}{{"6.6", ""}, {"6.1", sim.ConvergedInvariant.Name}, {"4.19", sim.ConvergedInvariant.Name}} {
		c := &Case{Variant: "destroy-remover", Node: node.Spec{Distro: "lts6.6-like"},
			Faults: []faults.Fault{faults.KernelVersion{Version: sim.MustVersion(tt.kernel)}},
			Steps: []Step{{Op: OpRun, Sandbox: "a", IPs: []string{"10.88.0.2"}, Ports: []*PortMapping{tcp(8080, 80)}},
				{At: time.Second, Op: OpStop, Sandbox: "a"}}}
		r, err := c.Run(sim.NewPRNG(1), true)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Violated(); got != tt.want {
			t.Fatalf("kernel %s: violated %q, want %q: %v\n%s", tt.kernel, got, tt.want, r.Violations, r.Trace.Text())
		}
		if tt.want != "" && !strings.Contains(r.Trace.Text(), "Invalid argument (kernel "+tt.kernel+" lacks nft-destroy (Linux 6.3))") {
			t.Errorf("kernel %s: the trace does not show nft's refusal:\n%s", tt.kernel, r.Trace.Text())
		}
	}
	rapidtb.ForEachSeed(t, func(t *testing.T, _ uint64) {
		var last *Case
		obs := &rapidtb.Observer{}
		rapid.Check(obs, Property(newDestroyRemover, func(c *Case, _ sim.Result) { last = c }))
		if !obs.Failed() || last == nil {
			t.Fatal("the property did not fail for a manager that needs nft destroy")
		}
		var kernel bool
		for _, f := range last.Faults {
			kv, ok := f.(faults.KernelVersion)
			kernel = kernel || (ok && !kv.Version.AtLeast(node.NFTDestroy.Since))
		}
		t.Logf("minimal case:\n%s", Describe(last))
		if !kernel || len(last.Steps) != 2 {
			t.Fatalf("minimal case is not a kernel before 6.3, a sandbox and its stop:\n%s", Describe(last))
		}
	})
}
