package cgroups

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
	"github.com/faultsim/faultsim/sim/systemd"
)

// stuckDelete is a controller whose Delete always fails: kubelet's
// StopPodSandbox never succeeds and the sandbox's cgroups stay.
type stuckDelete struct{ Controller }

func (stuckDelete) Delete() error { return errors.New("rmdir: device or resource busy") }

// TestLivenessPhase runs kubelet's retries fault-free after the last step:
// the reference converges (or is still waiting for a hypervisor that exits
// slowly), a controller that never deletes is what did not.
func TestLivenessPhase(t *testing.T) {
	remove, err := Register("test-stuck-delete", "Delete always fails", func(env *Env) Controller {
		return stuckDelete{NewReference(env)}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	cfg := Config{Driver: DriverSystemd, SandboxCgroupOnly: true, Hypervisor: QEMU}
	life := []Step{{Op: OpRun, Sandbox: "pod1", Resources: incidentResources}, {At: time.Second, Op: OpStop, Sandbox: "pod1"}}
	tests := []struct {
		name, variant string
		faults        []faults.Fault
		want, says    string
		trace         string // in the trace ("": nothing to look for)
	}{
		{"reference converges", "reference", nil, "", "", "StopPodSandbox pod1 ok"},
		{"a hypervisor still exiting at the end is not left over", "reference",
			[]faults.Fault{HypervisorExitSlow{Sandbox: "pod1", For: 30 * time.Second}}, "", "", "hypervisor 1011 is exiting, slowly (30s)"},
		{"a stop that waited for a slow hypervisor converges", "reference",
			[]faults.Fault{HypervisorExitSlow{Sandbox: "pod1", For: 3 * time.Second}}, "", "", "StopPodSandbox pod1 ok"},
		{"a Delete that never succeeds is left over", "test-stuck-delete", nil,
			sim.ConvergedInvariant.Name, "StopPodSandbox pod1 never succeeded; process", "liveness phase: no fault after 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{Node: node.Spec{Distro: "al2023-like"}, Variant: tt.variant, Config: cfg, Faults: tt.faults, Steps: life}
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
			if !strings.Contains(r.Trace.Text(), tt.trace) {
				t.Fatalf("trace lacks %q:\n%s", tt.trace, r.Trace.Text())
			}
		})
	}
}

// TestLivenessBringsTheBusBack: the phase's Heal brings systemd's D-Bus
// API back (a systemd-bus-down fault).
func TestLivenessBringsTheBusBack(t *testing.T) {
	w := &world{c: &Case{}, sd: &systemd.Systemd{Unavailable: true}}
	w.liveness(0).Heal()
	if w.sd.Unavailable {
		t.Fatal("systemd's bus is still down after the heal")
	}
}
