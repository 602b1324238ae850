package hostport

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/netfilter"
	"github.com/faultsim/faultsim/sim/node"
)

// stuckRemove is a manager whose Remove always fails: kubelet's
// StopPodSandbox of a sandbox it added never succeeds.
type stuckRemove struct{ Manager }

func (stuckRemove) Remove(string, []*PortMapping) error {
	return errors.New("remove: resource busy")
}

// TestLivenessPhase runs kubelet's retries fault-free after the last fault:
// a stop that can never succeed is what did not converge.
func TestLivenessPhase(t *testing.T) {
	remove, err := Register("test-stuck-remove", "Remove always fails", func(h *netfilter.Tables) (Manager, error) {
		m, err := NewReference(h)
		return stuckRemove{m}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	steps := []Step{{Op: OpRun, Sandbox: "a", IPs: []string{"10.88.0.2"}, Ports: []*PortMapping{tcp(8080, 80)}},
		{At: time.Second, Op: OpStop, Sandbox: "a"}}
	tests := []struct {
		name, variant string
		faults        []faults.Fault
		want, says    string
	}{
		{"reference converges", "reference", nil, "", ""},
		{"a delete retried past failures converges", "reference", []faults.Fault{faults.ToolMissing{Tool: "nft"}, faults.ToolFails{Tool: "iptables-restore", Times: 2}}, "", ""},
		{"a stuck Remove is left over", "test-stuck-remove", nil, sim.ConvergedInvariant.Name, "kubelet still retries StopPodSandbox a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{Node: node.Default(), Variant: tt.variant, Faults: tt.faults, Steps: steps}
			r, err := Run(c, nil, sim.Fixed{}, true)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Violated(); got != tt.want {
				t.Fatalf("first violation = %q, want %q\n%v\n%s", got, tt.want, r.Violations, r.Trace.Text())
			}
			if tt.says != "" && !strings.Contains(r.Violations[0].Message, tt.says) {
				t.Fatalf("violation %q does not say %q", r.Violations[0].Message, tt.says)
			}
			if !strings.Contains(r.Trace.Text(), "liveness phase: no fault after 1s") {
				t.Fatalf("no liveness phase in the trace:\n%s", r.Trace.Text())
			}
		})
	}
}

// TestLivenessLiftsFailingTools: the phase's Heal makes a tool that a
// tool-fails fault made fail work again; a missing tool stays missing.
func TestLivenessLiftsFailingTools(t *testing.T) {
	n, err := node.Default().Build()
	if err != nil {
		t.Fatal(err)
	}
	faults.ToolFails{Tool: "nft", Times: 5}.ApplyNode(n)
	faults.ToolMissing{Tool: "iptables"}.ApplyNode(n)
	w := &world{host: netfilter.New(n)}
	w.liveness(0).Heal()
	if tool, err := n.LookPath("nft"); err != nil || tool.FailNext != 0 {
		t.Fatalf("nft after the heal: %+v, %v; want it working", tool, err)
	}
	if _, err := n.LookPath("iptables"); err == nil {
		t.Fatal("iptables is back after the heal; a missing tool is the node's nature")
	}
}
