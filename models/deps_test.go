package models_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependenciesPointOneWay checks the import graph with go list: the
// simulation kernel and the node know no model, and a model links only
// what its own components use (signals: no netfilter, gRPC or cgroups
// library; annotations: no netfilter or cgroups library).
func TestDependenciesPointOneWay(t *testing.T) {
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"github.com/faultsim/faultsim/sim", []string{"github.com/faultsim/faultsim/models", "github.com/faultsim/faultsim/scenarios", "github.com/faultsim/faultsim/faults", "knftables", "containerd/cgroups", "cri-api"}},
		{"github.com/faultsim/faultsim/sim/node", []string{"github.com/faultsim/faultsim/models", "github.com/faultsim/faultsim/scenarios", "knftables", "containerd/cgroups", "cri-api"}},
		{"github.com/faultsim/faultsim/faults", []string{"github.com/faultsim/faultsim/models", "github.com/faultsim/faultsim/scenarios", "knftables", "containerd/cgroups", "cri-api"}},
		{"github.com/faultsim/faultsim/models/signals", []string{"sim/netfilter", "github.com/faultsim/faultsim/scenarios", "knftables", "google.golang.org/grpc", "containerd/cgroups", "github.com/faultsim/faultsim/models/hostport", "github.com/faultsim/faultsim/models/cgroups", "github.com/faultsim/faultsim/models/annotations"}},
		{"github.com/faultsim/faultsim/models/annotations", []string{"github.com/faultsim/faultsim/scenarios", "knftables", "google.golang.org/grpc", "containerd/cgroups", "github.com/faultsim/faultsim/models/hostport", "github.com/faultsim/faultsim/models/cgroups", "github.com/faultsim/faultsim/models/signals"}},
		{"github.com/faultsim/faultsim/models/hostport", []string{"github.com/faultsim/faultsim/scenarios", "containerd/cgroups", "github.com/faultsim/faultsim/models/signals", "github.com/faultsim/faultsim/models/cgroups", "github.com/faultsim/faultsim/models/annotations"}},
		{"github.com/faultsim/faultsim/models/cgroups", []string{"github.com/faultsim/faultsim/scenarios", "knftables", "google.golang.org/grpc", "github.com/faultsim/faultsim/models/signals", "github.com/faultsim/faultsim/models/hostport", "github.com/faultsim/faultsim/models/annotations"}},
	}
	for _, tt := range tests {
		out, err := exec.Command("go", "list", "-deps", tt.pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", tt.pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, bad := range tt.forbidden {
				if links(dep, bad) && dep != tt.pkg {
					t.Errorf("%s links %s (matches %q)", tt.pkg, dep, bad)
				}
			}
		}
	}
}

// links reports whether dep is bad: a faultsim package or one below it, or
// any package whose path contains bad.
func links(dep, bad string) bool {
	if strings.HasPrefix(bad, "github.com/faultsim/") {
		return dep == bad || strings.HasPrefix(dep, bad+"/")
	}
	return strings.Contains(dep, bad)
}
