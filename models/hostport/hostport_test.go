package hostport

import (
	"flag"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"pgregory.net/rapid"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/internal/rapidtb"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/isolate"
	"github.com/faultsim/faultsim/sim/netfilter"
	"github.com/faultsim/faultsim/sim/node"
)

func TestMain(m *testing.M) {
	if isolate.IsChild() { // race mode's child: the test's variants, then serve
		if _, err := RegisterSharedMap(); err != nil {
			panic(err)
		}
		isolate.Serve()
	}
	// Failures observed on purpose must not leave rapid fail files behind.
	_ = flag.Set("rapid.nofailfile", "true")
	goleak.VerifyTestMain(models.Releasing(m))
}

func tcp(host, container int32) *PortMapping {
	return &PortMapping{Protocol: runtimeapi.Protocol_TCP, HostPort: host, ContainerPort: container}
}

func TestReferencePassesTheProperty(t *testing.T) {
	Conformance(t, NewReference)
}

func TestDisabledHostportMappingPassesTheProperty(t *testing.T) {
	// A manager that does nothing is correct only when the option says so;
	// the oracle expects nothing then. Any variant under the option passes.
	rapid.Check(t, func(rt *rapid.T) {
		c := Generate(sim.RapidChooser{T: rt}, "crio-1.33.0", GenOptions{})
		c.Config.DisableHostportMapping = true
		r, err := Run(c, nil, sim.RapidChooser{T: rt}, false)
		if err != nil || len(r.Violations) > 0 {
			rt.Fatalf("%v %v\n%s", err, r.Violations, Describe(c))
		}
	})
}

// TestPropertyFindsBuggyVariantsAndShrinks runs the unchanged property
// against each buggy variant, observes that it fails, and checks that rapid
// shrank the failure to a minimal case.
func TestPropertyFindsBuggyVariantsAndShrinks(t *testing.T) {
	for _, v := range []Variant{mustVariant(t, "crio-1.33.0"), mustVariant(t, "zero-port-unfiltered")} {
		t.Run(v.Name, func(t *testing.T) {
			rapidtb.ForEachSeed(t, func(t *testing.T, _ uint64) {
				var last *Case
				var lastResult sim.Result
				obs := &rapidtb.Observer{}
				rapid.Check(obs, Property(v.Build, func(c *Case, r sim.Result) { last, lastResult = c, r }))
				if !obs.Failed() || last == nil {
					t.Fatalf("the property did not fail for %s", v.Name)
				}
				t.Logf("minimal case (%s):\n%s", lastResult.Violations[0], Describe(last))
				if len(last.Steps) > 2 || len(last.Faults) > 1 || last.Size() > 6 {
					t.Fatalf("shrunk case is not minimal (size %d):\n%s", last.Size(), Describe(last))
				}
				// The essential content: a mapping with a host port is installed,
				// and for crio-1.33.0 it is deleted on a node without iptables.
				var hasPort, hasNonPositive, hasStop bool
				for _, s := range last.Steps {
					hasStop = hasStop || s.Op == OpStop
					for _, p := range s.Ports {
						hasPort = true
						hasNonPositive = hasNonPositive || p.HostPort <= 0
					}
				}
				switch v.Name {
				case "crio-1.33.0":
					// Either typed-nil backend crashes: iptables missing on delete
					// (the incident), or nft unusable on add.
					if lastResult.Violated() == "crash" && (!hasPort || len(last.Faults) != 1 ||
						(last.Faults[0].Name() != "tool-missing" && last.Faults[0].Name() != "tool-version")) {
						t.Fatalf("minimal crash is not one missing backend + a sandbox with a mapping:\n%s", Describe(last))
					}
					if strings.Contains(lastResult.Violations[0].Message, "iptablesBackend") && !hasStop {
						t.Fatalf("iptables typed-nil crash without a delete:\n%s", Describe(last))
					}
				case "zero-port-unfiltered":
					if !hasNonPositive {
						t.Fatalf("minimal case has no mapping with host port <= 0:\n%s", Describe(last))
					}
				}
			})
		})
	}
}

func mustVariant(t *testing.T, name string) Variant {
	v, err := Variants.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestScenarios(t *testing.T) {
	run := func(id string, ips []string, ms ...*PortMapping) Step {
		return Step{Op: OpRun, Sandbox: id, IPs: ips, Ports: ms}
	}
	stop := func(at time.Duration, id string) Step { return Step{At: at, Op: OpStop, Sandbox: id} }
	v4 := []string{"10.88.0.2"}
	v4b := []string{"10.88.0.3"}
	dual := []string{"10.88.0.2", "fd00::2"}
	noIPT := []faults.Fault{faults.ToolMissing{Tool: "iptables"}}
	noIP6T := []faults.Fault{faults.ToolMissing{Tool: "ip6tables"}}
	udp := &PortMapping{Protocol: runtimeapi.Protocol_UDP, HostPort: 8080, ContainerPort: 80}
	onIP := &PortMapping{Protocol: runtimeapi.Protocol_TCP, HostPort: 8080, ContainerPort: 80, HostIp: "192.0.2.10"}
	tests := []struct {
		name    string
		variant string
		faults  []faults.Fault
		steps   []Step
		want    string // first violated invariant, "" for none
	}{
		{"incident 1 on crio-1.33.0", "crio-1.33.0", noIPT, []Step{run("a", v4, tcp(8080, 80)), stop(time.Second, "a")}, "crash"},
		{"incident 1 steps on reference", "reference", noIPT, []Step{run("a", v4, tcp(8080, 80)), stop(time.Second, "a")}, ""},
		{"crio-1.33.0 with every tool", "crio-1.33.0", nil, []Step{run("a", v4, tcp(8080, 80)), stop(time.Second, "a")}, ""},
		{"crio-1.33.0 drops IPv6 when ip6tables is missing", "crio-1.33.0", noIP6T, []Step{run("a", dual, tcp(8080, 80))}, InvForwarding.Name},
		{"reference keeps IPv6 on nft alone", "reference", noIP6T, []Step{run("a", dual, tcp(8080, 80))}, ""},
		{"incident 5: two pods with host port 0", "zero-port-unfiltered", nil, []Step{run("a", v4, tcp(0, 80)), run("b", v4b, tcp(0, 80))}, InvForwarding.Name},
		{"incident 5 steps on reference", "reference", nil, []Step{run("a", v4, tcp(0, 80)), run("b", v4b, tcp(0, 80))}, ""},
		{"real conflict refused by reference", "reference", nil, []Step{run("a", v4, tcp(8080, 80)), run("b", v4b, tcp(8080, 81))}, ""},
		{"other protocol does not conflict", "reference", nil, []Step{run("a", v4, tcp(8080, 80)), run("b", v4b, udp)}, ""},
		{"specific host IP conflicts with wildcard", "reference", nil, []Step{run("a", v4, tcp(8080, 80)), run("b", v4b, onIP)}, ""},
		{"out of range refused", "reference", nil, []Step{run("a", v4, tcp(70000, 80))}, ""},
		{"nft failure on add", "reference", []faults.Fault{faults.ToolFails{Tool: "nft", Times: 1}}, []Step{run("a", v4, tcp(8080, 80))}, ""},
		{"iptables-restore failure on delete retried", "reference", []faults.Fault{faults.ToolMissing{Tool: "nft"}, faults.ToolFails{Tool: "iptables-restore", Times: 2}},
			[]Step{run("a", v4, tcp(8080, 80)), stop(time.Second, "a")}, ""},
		{"restart keeps rules", "reference", []faults.Fault{faults.DaemonRestart{At: time.Second}}, []Step{run("a", v4, tcp(8080, 80)), stop(2*time.Second, "a")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{Node: node.Default(), Variant: tt.variant, Faults: tt.faults, Steps: tt.steps}
			r, err := Run(c, nil, sim.Fixed{}, true)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Violated(); got != tt.want {
				t.Fatalf("first violation = %q, want %q\n%v\n%s", got, tt.want, r.Violations, r.Trace.Text())
			}
		})
	}
}

func TestIncident1CrashLoops(t *testing.T) {
	c := &Case{Node: node.Default(), Variant: "crio-1.33.0", Faults: []faults.Fault{faults.ToolMissing{Tool: "iptables"}},
		Steps: []Step{{Op: OpRun, Sandbox: "a", IPs: []string{"10.88.0.2"}, Ports: []*PortMapping{tcp(8080, 80)}}, {At: time.Second, Op: OpStop, Sandbox: "a"}}}
	r, _ := Run(c, nil, sim.Fixed{}, true)
	if !r.Has("crash") || !r.Has(InvCrashLoop.Name) {
		t.Fatalf("violations = %v, want crash and crash-loop", r.Violations)
	}
	if !strings.Contains(r.Violations[0].Message, "nil pointer dereference") || !strings.Contains(r.Violations[0].Message, "iptablesBackend") {
		t.Fatalf("crash = %s, want a nil dereference in the iptables backend", r.Violations[0].Message)
	}
}

func TestDaemonRefusesWithoutIPv4Backend(t *testing.T) {
	n, _ := node.Default().Build()
	n.Uninstall("iptables")
	n.Uninstall("nft")
	h := netfilter.New(n)
	for _, v := range Variants.All() {
		_, err := StartDaemon(h, Config{}, v.Build, &Store{}, func(string, ...any) {})
		if err == nil || !strings.Contains(err.Error(), "disable_hostport_mapping") {
			t.Errorf("%s: start error = %v, want one naming disable_hostport_mapping", v.Name, err)
		}
	}
	if _, err := StartDaemon(h, Config{DisableHostportMapping: true}, NewReference, &Store{}, func(string, ...any) {}); err != nil {
		t.Errorf("with disable_hostport_mapping the daemon refused: %v", err)
	}
}

func TestRunIsDeterministic(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		c := Generate(sim.NewPRNG(seed), "reference", GenOptions{})
		a, _ := Run(c, nil, sim.NewPRNG(seed), true)
		b, _ := Run(c.Clone(), nil, sim.NewPRNG(seed), true)
		if a.Trace.Hash() != b.Trace.Hash() {
			t.Fatalf("seed %d: trace hashes %s and %s differ", seed, a.Trace.Hash(), b.Trace.Hash())
		}
	}
}

// TestStopOfAnUnknownSandboxIsACall: kubelet's stop of a sandbox the daemon
// does not know (never run, stopped already, or run later at the same
// time) reaches the daemon, which answers it as CRI's idempotent stop
// requires, and the trace shows the call and its answer.
func TestStopOfAnUnknownSandboxIsACall(t *testing.T) {
	v4 := []string{"10.88.0.2"}
	tests := []struct {
		name  string
		steps []Step
		want  []string // trace lines, in order
	}{
		{"never run", []Step{{Op: OpRun, Sandbox: "a", IPs: v4, Ports: []*PortMapping{tcp(8080, 80)}}, {At: time.Second, Op: OpStop, Sandbox: "b"}},
			[]string{"StopPodSandbox b", "StopPodSandbox b ok"}},
		{"stopped twice", []Step{{Op: OpRun, Sandbox: "a", IPs: v4}, {At: time.Second, Op: OpStop, Sandbox: "a"}, {At: 2 * time.Second, Op: OpStop, Sandbox: "a"}},
			[]string{"StopPodSandbox a", "StopPodSandbox a ok", "StopPodSandbox a", "StopPodSandbox a ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{Node: node.Default(), Variant: "reference", Steps: tt.steps}
			r, err := Run(c, nil, sim.Fixed{}, true)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ev := range r.Trace.Events() {
				if strings.HasPrefix(ev.What, "StopPodSandbox") {
					got = append(got, ev.What)
				}
			}
			if !slices.Equal(got, tt.want) || len(r.Violations) > 0 {
				t.Fatalf("stop calls traced %q, want %q; violations %v\n%s", got, tt.want, r.Violations, r.Trace.Text())
			}
		})
	}
}
