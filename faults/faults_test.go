package faults

import (
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestNewChecksParameters(t *testing.T) {
	tests := []struct {
		name    string
		raw     map[string]string
		wantErr string
	}{
		{"tool-missing", map[string]string{"tool": "iptables"}, ""},
		{"tool-missing", map[string]string{}, `missing parameter "tool"`},
		{"tool-missing", map[string]string{"tool": "ls"}, "expected one of"},
		{"tool-missing", map[string]string{"tool": "nft", "x": "1"}, `unknown parameter "x"`},
		{"tool-version", map[string]string{"tool": "nft", "version": "one"}, "expected digits"},
		{"tool-fails", map[string]string{"tool": "nft", "times": "0"}, "out of range"},
		{"daemon-restart", map[string]string{"at": "-1s"}, "negative"},
		{"no-such-fault", nil, "unknown fault"},
	}
	for _, tt := range tests {
		_, err := New(tt.name, tt.raw)
		if tt.wantErr == "" && err != nil {
			t.Errorf("New(%s, %v) = %v, want success", tt.name, tt.raw, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("New(%s, %v) = %v, want an error containing %q", tt.name, tt.raw, err, tt.wantErr)
		}
	}
}

func TestHostFaultsReshapeTheNode(t *testing.T) {
	h := node.New("fedora-42", sim.MustVersion("6.14"))
	h.Install("iptables", sim.MustVersion("1.8.11"))
	for _, raw := range []struct {
		name string
		args map[string]string
	}{
		{"tool-missing", map[string]string{"tool": "iptables"}},
		{"tool-version", map[string]string{"tool": "nft", "version": "1.0.0"}},
		{"tool-fails", map[string]string{"tool": "nft", "times": "2"}},
		{"kernel-version", map[string]string{"version": "5.10"}},
		{"cgroup-mode", map[string]string{"mode": "hybrid"}},
		{"systemd-version", map[string]string{"version": "219"}},
	} {
		f, err := New(raw.name, raw.args)
		if err != nil {
			t.Fatal(err)
		}
		f.(NodeFault).ApplyNode(h)
	}
	if _, err := h.LookPath("iptables"); err == nil {
		t.Fatal("iptables still present")
	}
	nft, err := h.LookPath("nft")
	if err != nil || nft.Version.String() != "1.0.0" || nft.FailNext != 2 {
		t.Fatalf("nft = %+v, %v; want version 1.0.0 failing twice", nft, err)
	}
	if h.Kernel.String() != "5.10" || h.Cgroup != node.Hybrid || h.Systemd != 219 {
		t.Fatalf("node after kernel, cgroup and systemd faults: %s", h.Dump())
	}
}

func TestCatalogIsDocumented(t *testing.T) {
	for _, s := range All() {
		if s.Summary == "" || s.Kind == "" {
			t.Errorf("fault %s lacks a summary or kind", s.Name)
		}
	}
}
