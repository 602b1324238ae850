package node

import (
	"errors"
	"slices"
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

// TestBuildParsesWhatTheSpecSays: a node built from a spec has the kernel
// and the tools (the distro's, then the spec's, a later one replacing an
// earlier one of its name) at the versions their strings give, for every
// distro, with and without overrides.
func TestBuildParsesWhatTheSpecSays(t *testing.T) {
	for _, d := range Distros() {
		for _, s := range []Spec{
			{Distro: d.Name},
			{Distro: d.Name, Kernel: "6.1.5"},
			{Distro: d.Name, Tools: []ToolSpec{{d.Tools[0].Name, "9.9"}, {"crun", "1.17"}}},
		} {
			n, err := s.Build()
			if err != nil {
				t.Fatalf("%+v: %v", s, err)
			}
			kernel := d.Kernel
			if s.Kernel != "" {
				kernel = s.Kernel
			}
			if want := sim.MustVersion(kernel); n.Kernel.Compare(want) != 0 || n.Kernel.String() != want.String() {
				t.Errorf("%+v: kernel %v, want %v", s, n.Kernel, want)
			}
			want := map[string]string{}
			for _, tl := range append(slices.Clone(d.Tools), s.Tools...) {
				want[tl.Name] = tl.Version
			}
			got := n.Tools()
			if len(got) != len(want) {
				t.Fatalf("%+v: tools %v, want %v", s, got, want)
			}
			for i, tl := range got {
				if i > 0 && got[i-1].Name >= tl.Name {
					t.Errorf("%+v: tools not sorted by name: %v", s, got)
				}
				if v, ok := want[tl.Name]; !ok || tl.Version.String() != sim.MustVersion(v).String() {
					t.Errorf("%+v: tool %s at %v, want %q", s, tl.Name, tl.Version, v)
				}
			}
		}
	}
}
