package probe_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/campaign"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/probe"
	"github.com/faultsim/faultsim/scenarios"
	"github.com/faultsim/faultsim/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(models.Releasing(m)) }

// fakeTools answers LookPath and --version for the tools it holds.
func fakeTools(outputs map[string]string) (func(string) (string, error), func(string) (string, error)) {
	look := func(name string) (string, error) {
		if _, ok := outputs[name]; ok {
			return "/usr/sbin/" + name, nil
		}
		return "", errors.New("not found")
	}
	version := func(path string) (string, error) { return outputs[filepath.Base(path)], nil }
	return look, version
}

// replay parses a probed node section as the node of a scenario of the
// given model, as a user pasting it into a file would: a case the model's
// generator draws, its node: section replaced by the probed one.
func replay(t *testing.T, model, node string) *scenarios.Scenario {
	t.Helper()
	m, err := scenarios.LookupModel(model)
	if err != nil {
		t.Fatal(err)
	}
	drawn := &scenarios.Scenario{Name: "probed", Model: model, Variant: campaign.FuzzVariant(m), Seed: 1,
		Case: m.Generate(sim.NewPRNG(1), campaign.FuzzVariant(m))}
	var b strings.Builder
	skip := false
	for _, line := range strings.SplitAfter(string(scenarios.Format(drawn)), "\n") {
		switch {
		case line == "node:\n":
			skip = true
			b.WriteString(node)
			continue
		case skip && strings.HasPrefix(line, " "):
			continue
		}
		skip = false
		b.WriteString(line)
	}
	s, err := scenarios.Parse("probed.yaml", []byte(b.String()))
	if err != nil {
		t.Fatalf("the probed node does not replay as a %s node: %v\nfile:\n%s", model, err, b.String())
	}
	return s
}

func TestReadTestdataNodes(t *testing.T) {
	tests := []struct {
		root    string
		tools   map[string]string
		want    probe.Node
		profile string   // the nearest known distro
		inNode  []string // lines the hostport section must hold
	}{
		{
			root: "debian12-hybrid",
			tools: map[string]string{
				"iptables": "iptables v1.8.9 (nf_tables)\n", "iptables-legacy": "iptables v1.8.9 (legacy)\n",
				"nft": "nftables v1.0.6 (Lester Gooch #5)\n", "runc": "runc version 1.1.5\ncommit: v1.1.5-0-gf19387a\nspec: 1.0.2-dev\n",
			},
			want: probe.Node{Kernel: "6.18.44-fc-v769", Distro: "debian-12", CgroupMode: "hybrid",
				Controllers: []string{"blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids"}},
			profile: "ubuntu20.04-like",
			inNode:  []string{`  cgroup: hybrid`, `    iptables: "1.8.9"`, `    nft: "1.0.6"`, `    runc: "1.1.5"`},
		},
		{
			root:  "fedora42-v2",
			tools: map[string]string{"nft": "nftables v1.1.1 (Commodore Bullmoose #2)\n", "crun": "crun version 1.21\ncommit: 10269840aa07fb7e6b7e1acff6198692d8ff5c88\n", "conmon": "conmon version 2.1.13\n"},
			want: probe.Node{Kernel: "6.14.0-200.fc42.x86_64", Distro: "fedora-42", CgroupMode: "v2",
				Controllers: []string{"cpu", "cpuset", "hugetlb", "io", "memory", "misc", "pids", "rdma"}},
			profile: "fedora-42",
			inNode:  []string{`  cgroup: v2`, `    nft: "1.1.1"`, `    crun: "1.21"`, `    conmon: "2.1.13"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.root, func(t *testing.T) {
			look, version := fakeTools(tc.tools)
			r := &probe.Reader{Root: filepath.Join("testdata", tc.root), LookPath: look, Version: version}
			n, err := r.Read()
			if err != nil {
				t.Fatal(err)
			}
			if n.Kernel != tc.want.Kernel || n.Distro != tc.want.Distro || n.CgroupMode != tc.want.CgroupMode ||
				strings.Join(n.Controllers, " ") != strings.Join(tc.want.Controllers, " ") {
				t.Fatalf("read kernel %q distro %q mode %q controllers %v, want %q %q %q %v",
					n.Kernel, n.Distro, n.CgroupMode, n.Controllers, tc.want.Kernel, tc.want.Distro, tc.want.CgroupMode, tc.want.Controllers)
			}
			out, err := n.Format()
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range tc.inNode {
				if !strings.Contains(out, line+"\n") {
					t.Errorf("node section lacks %q:\n%s", line, out)
				}
			}
			if !strings.Contains(out, `  distro: "`+tc.profile+`"`) {
				t.Errorf("node section names another distro than %s:\n%s", tc.profile, out)
			}
			for _, model := range scenarios.ModelNames() {
				s := replay(t, model, out)
				if got := string(scenarios.Format(s)); !strings.Contains(got, "kernel: "+tc.want.Kernel) {
					t.Errorf("replayed %s scenario lost the kernel %s:\n%s", model, tc.want.Kernel, got)
				}
			}
		})
	}
}

func TestParseToolVersion(t *testing.T) {
	tests := []struct{ out, want string }{
		{"nftables v1.0.6 (Lester Gooch #5)\n", "1.0.6"},
		{"iptables v1.8.11 (nf_tables)\n", "1.8.11"},
		{"ip6tables-restore v1.8.9 (legacy)\n", "1.8.9"},
		{"conmon version 2.1.6\ncommit: unknown\n", "2.1.6"},
		{"crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30\nrundir: /run/crun\nspec: 1.0.0\n", "1.8.1"},
		{"runc version 1.1.5\ncommit: v1.1.5-0-gf19387a\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4\n", "1.1.5"},
		{"usage: nft [options]\n", ""},
	}
	for _, tc := range tests {
		if got := probe.ParseToolVersion(tc.out); got != tc.want {
			t.Errorf("ParseToolVersion(%q) = %q, want %q", tc.out, got, tc.want)
		}
	}
}

func TestParseMountinfoModes(t *testing.T) {
	tests := []struct{ name, data, mode, v2 string }{
		{"unified", "35 25 0:30 / /sys/fs/cgroup rw shared:4 - cgroup2 cgroup2 rw,nsdelegate\n", "v2", "/sys/fs/cgroup"},
		{"hybrid", "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n", "hybrid", "/sys/fs/cgroup/unified"},
		{"legacy", "31 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n", "v1", ""},
		{"none", "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n", "", ""},
	}
	for _, tc := range tests {
		m := probe.ParseMountinfo(tc.data)
		if m.Mode != tc.mode || m.V2Root != tc.v2 {
			t.Errorf("%s: mode %q cgroup2 at %q, want %q at %q", tc.name, m.Mode, m.V2Root, tc.mode, tc.v2)
		}
	}
}

// TestProbeThisMachine reads the machine the test runs on and replays its
// node sections: what faultsim probe prints must always be a valid node.
func TestProbeThisMachine(t *testing.T) {
	if _, err := os.Stat("/proc/sys/kernel/osrelease"); err != nil {
		t.Skipf("PROBE NOT TESTED ON THIS MACHINE: no /proc/sys/kernel/osrelease (%v); the testdata nodes still are", err)
	}
	n, err := probe.NewReader().Read()
	if err != nil {
		t.Fatal(err)
	}
	out, err := n.Format()
	if err != nil {
		t.Fatal(err)
	}
	for _, model := range scenarios.ModelNames() {
		replay(t, model, out)
	}
	t.Logf("this machine:\n%s", out)
}
