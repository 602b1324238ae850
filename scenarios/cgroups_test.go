package scenarios

import (
	"context"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/models/cgroups"
)

// TestCgroupsBadInput: each malformed cgroups file gives one clear error
// naming the file, the line and the field.
func TestCgroupsBadInput(t *testing.T) {
	const head = "name: x\nmodel: cgroups\nvariant: reference\n"
	const run = "steps:\n  - {op: run-pod-sandbox, sandbox: pod1, resources: {memory: 268435456}}\n"
	tests := []struct{ name, text, want string }{
		{"unknown profile", head + "node: {profile: centos-5}\n" + run + "expect: pass\n", `:4: node.profile: "centos-5": expected one of`},
		{"unknown node field", head + "node: {kernel: 6.1}\n" + run + "expect: pass\n", `:4: node: unknown field "kernel"`},
		{"bad driver", head + "config: {driver: openrc}\n" + run + "expect: pass\n", `config.driver: "openrc": expected systemd or cgroupfs`},
		{"bad hypervisor", head + "config: {hypervisor: xen}\n" + run + "expect: pass\n", `config.hypervisor: "xen"`},
		{"bad bool", head + "config: {sandbox_cgroup_only: maybe}\n" + run + "expect: pass\n", "expected true or false"},
		{"run without resources", head + "steps:\n  - {op: run-pod-sandbox, sandbox: pod1}\nexpect: pass\n", "steps[0].resources: missing"},
		{"stop with a container", head + "steps:\n  - {op: stop-pod-sandbox, sandbox: pod1, container: c1}\nexpect: pass\n", "stop-pod-sandbox does not take container"},
		{"create without container", head + "steps:\n  - {op: create-container, sandbox: pod1}\nexpect: pass\n", "container: missing"},
		{"bad cpus", head + "steps:\n  - {op: create-container, sandbox: pod1, container: c1, cpus: all}\nexpect: pass\n", `steps[0].cpus: "all": expected a CPU list`},
		{"negative memory", head + "steps:\n  - {op: run-pod-sandbox, sandbox: pod1, resources: {memory: -1}}\nexpect: pass\n", "resources.memory"},
		{"unknown resource", head + "steps:\n  - {op: run-pod-sandbox, sandbox: pod1, resources: {swap: 1}}\nexpect: pass\n", `unknown field "swap"`},
		{"unknown op", head + "steps:\n  - {op: pause, sandbox: pod1}\nexpect: pass\n", `unknown operation "pause"`},
		{"bad mode fault", head + "faults:\n  - {fault: cgroup-mode, mode: v3}\n" + run + "expect: pass\n", "expected one of v1, hybrid, v2"},
		{"hostport field", head + "options: {disable_hostport_mapping: true}\n" + run + "expect: pass\n", `unknown field "options"`},
		{"unknown invariant", head + run + "expect: {violation: forwarding-matches-live-mappings}\n", "expect.violation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.text))
			if err == nil || !strings.HasPrefix(err.Error(), "bad.yaml") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to start with the file and contain %q", err, tt.want)
			}
		})
	}
}

// TestCgroupsCampaignFindsAndReplays: a short campaign against kata-3.12.0
// finds failures, writes them shrunk, and each file replays; the
// reference finds nothing in the same budget.
func TestCgroupsCampaignFindsAndReplays(t *testing.T) {
	for _, tt := range []struct {
		variant string
		finds   bool
	}{{"kata-3.12.0", true}, {"reference", false}} {
		t.Run(tt.variant, func(t *testing.T) {
			dir := t.TempDir()
			rep, err := Campaign(context.Background(), CampaignConfig{Model: cgroups.Model.Name, Variant: tt.variant, Seed: 1, MaxScenarios: 120, Out: dir})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(rep.Findings) > 0; got != tt.finds {
				t.Fatalf("findings = %d, want found=%v", len(rep.Findings), tt.finds)
			}
			for _, f := range rep.Findings {
				if f.SizeAfter > f.SizeBefore || f.SizeAfter > 6 {
					t.Errorf("%s: shrunk from %d to %d", f.Signature, f.SizeBefore, f.SizeAfter)
				}
				s, err := ParseFile(f.Path)
				if err != nil {
					t.Fatal(err)
				}
				if o, err := Run(s, false); err != nil || !o.OK {
					t.Fatalf("%s does not replay to %s: got %s (%v)", f.Path, s.Expect, o.Got, err)
				}
			}
		})
	}
}
