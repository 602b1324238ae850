package node

import (
	"errors"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestToolsAndFailures(t *testing.T) {
	n := New("fedora-42", sim.MustVersion("6.14"))
	if err := n.Exec("iptables"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Exec of a missing tool = %v, want ErrNotFound", err)
	}
	n.Install("iptables-restore", sim.MustVersion("1.8.11"))
	tool, _ := n.LookPath("iptables-restore")
	tool.FailNext = 1
	if err := n.Exec("iptables-restore", "--noflush"); err == nil {
		t.Fatal("injected failure not reported")
	}
	if err := n.Exec("iptables-restore", "--noflush"); err != nil {
		t.Fatalf("second run failed: %v", err)
	}
	if n.Failures != 1 {
		t.Fatalf("Failures = %d, want 1", n.Failures)
	}
	n.Uninstall("iptables-restore")
	if _, err := n.LookPath("iptables-restore"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LookPath after Uninstall = %v, want ErrNotFound", err)
	}
}

// TestEndToolFailures: once the failures end, every tool's next
// invocations succeed, however many were still to fail.
func TestEndToolFailures(t *testing.T) {
	n := New("fedora-42", sim.MustVersion("6.14"))
	for i, name := range []string{"crun", "nft", "iptables"} {
		n.Install(name, sim.MustVersion("1.0"))
		tool, _ := n.LookPath(name)
		tool.FailNext = i + 1
	}
	n.EndToolFailures()
	for _, name := range []string{"crun", "nft", "iptables"} {
		if err := n.Exec(name); err != nil {
			t.Fatalf("%s after EndToolFailures: %v", name, err)
		}
	}
	if n.Failures != 0 {
		t.Fatalf("Failures = %d, want 0", n.Failures)
	}
}

func TestKernelFeatures(t *testing.T) {
	for _, tt := range []struct {
		kernel string
		f      Feature
		want   bool
	}{
		{"5.0", PidfdSendSignal, false}, {"5.1", PidfdSendSignal, true},
		{"5.2.21", PidfdOpen, false}, {"5.3", PidfdOpen, true},
		{"5.13", CgroupKill, false}, {"6.1", CgroupKill, true},
		{"5.4", NFTObjectComments, false}, {"5.10", NFTObjectComments, true},
		{"6.1", NFTDestroy, false}, {"6.3", NFTDestroy, true},
	} {
		n := New("x", sim.MustVersion(tt.kernel))
		if got := n.Has(tt.f); got != tt.want {
			t.Errorf("kernel %s Has(%s) = %v, want %v", tt.kernel, tt.f.Name, got, tt.want)
		}
	}
}
