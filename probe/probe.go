package probe

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
)

// Tools are the executables Read looks for, in the order it prints them.
var Tools = []string{
	"iptables", "ip6tables", "iptables-restore", "ip6tables-restore",
	"iptables-legacy", "iptables-nft", "nft", "conmon", "crun", "runc",
}

// Tool is one executable as found on the node.
type Tool struct {
	Name string
	// Path is where it is on the PATH ("" when absent).
	Path string
	// Version is the version its --version printed ("" when absent or
	// when the output held no version); Raw is that output's first line.
	Version, Raw string
	// Err says why the version could not be read.
	Err string
}

// Node is what Read found.
type Node struct {
	// Kernel is the kernel release ("6.1.0-18-amd64").
	Kernel string
	// Distro is os-release's ID and VERSION_ID joined by a dash ("debian-12").
	Distro string
	// CgroupMode is "v1", "hybrid" or "v2" ("" when cgroups are not mounted).
	CgroupMode string
	// Controllers are the cgroup controllers the node mounts (v1) or its
	// cgroup2 root offers (v2), sorted; V1 and V2 list them per version.
	Controllers, V1, V2 []string
	Tools               []Tool
}

// Reader reads a node. Its zero value is not usable: use NewReader for the
// machine this runs on; tests point Root at a directory laid out like one.
type Reader struct {
	// Root is prefixed to every file read ("/" on the real node).
	Root string
	// LookPath finds an executable (exec.LookPath on the real node).
	LookPath func(name string) (string, error)
	// Version runs path --version and returns its output.
	Version func(path string) (string, error)
}

// NewReader reads the machine this process runs on.
func NewReader() *Reader {
	return &Reader{Root: "/", LookPath: exec.LookPath, Version: runVersion}
}

// runVersion runs "path --version" with a short deadline, standard input
// closed and the output captured (some tools print on standard error).
func runVersion(path string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--version").CombinedOutput()
	return string(out), err
}

// Read reads the node. Missing files make fields empty rather than fail:
// only an unreadable kernel release is an error.
func (r *Reader) Read() (Node, error) {
	var n Node
	rel, err := os.ReadFile(r.path("proc/sys/kernel/osrelease"))
	if err != nil {
		return n, fmt.Errorf("read the kernel release: %w", err)
	}
	n.Kernel = strings.TrimSpace(string(rel))
	for _, p := range []string{"etc/os-release", "usr/lib/os-release"} {
		if data, err := os.ReadFile(r.path(p)); err == nil {
			n.Distro = Distro(string(data))
			break
		}
	}
	if data, err := os.ReadFile(r.path("proc/self/mountinfo")); err == nil {
		m := ParseMountinfo(string(data))
		n.CgroupMode, n.V1 = m.Mode, m.V1
		if m.V2Root != "" {
			if c, err := os.ReadFile(r.path(filepath.Join(m.V2Root, "cgroup.controllers"))); err == nil {
				n.V2 = strings.Fields(string(c))
				slices.Sort(n.V2)
			}
		}
		n.Controllers = n.V1
		if n.CgroupMode == "v2" {
			n.Controllers = n.V2
		}
	}
	for _, name := range Tools {
		t := Tool{Name: name}
		if path, err := r.LookPath(name); err == nil {
			t.Path = path
			out, err := r.Version(path)
			t.Raw = firstLine(out)
			t.Version = ParseToolVersion(out)
			if t.Version == "" {
				t.Err = fmt.Sprintf("no version in %q", t.Raw)
				if err != nil {
					t.Err = fmt.Sprintf("%s --version: %v", path, err)
				}
			}
		}
		n.Tools = append(n.Tools, t)
	}
	return n, nil
}

func (r *Reader) path(p string) string { return filepath.Join(r.Root, p) }

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

// Distro renders os-release(5) contents as "ID-VERSION_ID" ("debian-12",
// "fedora-42"); a rolling distribution without VERSION_ID is just its ID.
func Distro(osRelease string) string {
	vals := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(osRelease))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		vals[k] = strings.Trim(v, `"'`)
	}
	id := vals["ID"]
	if id == "" {
		id = "linux" // os-release(5): "If not set, a default of ID=linux may be used."
	}
	if v := vals["VERSION_ID"]; v != "" {
		return id + "-" + v
	}
	return id
}

// Mounts is what /proc/self/mountinfo says of cgroups.
type Mounts struct {
	// Mode is "v1", "hybrid" or "v2" ("" when nothing is mounted).
	Mode string
	// V1 are the controllers of the v1 hierarchies (named ones such as
	// name=systemd left out), sorted.
	V1 []string
	// V2Root is the mount point of cgroup2 ("" when not mounted).
	V2Root string
}

// ParseMountinfo reads the cgroup mounts of a mountinfo file (proc(5):
// mount ID, parent, major:minor, root, mount point, options, optional
// fields, "-", filesystem type, source, super options).
func ParseMountinfo(data string) Mounts {
	var m Mounts
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := slices.Index(fields, "-")
		if sep < 5 || sep+3 >= len(fields) {
			continue
		}
		point, fstype, super := fields[4], fields[sep+1], fields[sep+3]
		switch fstype {
		case "cgroup2":
			if m.V2Root == "" || point == "/sys/fs/cgroup" {
				m.V2Root = point
			}
		case "cgroup":
			for _, o := range strings.Split(super, ",") {
				if cgroupfs.KnownController(o) && !slices.Contains(m.V1, o) {
					m.V1 = append(m.V1, o)
				}
			}
		}
	}
	slices.Sort(m.V1)
	switch {
	case m.V2Root == "/sys/fs/cgroup":
		m.Mode = "v2"
	case len(m.V1) > 0 && m.V2Root != "":
		m.Mode = "hybrid"
	case len(m.V1) > 0:
		m.Mode = "v1"
	case m.V2Root != "":
		m.Mode = "v2"
	}
	return m
}

// versionRE is the first dotted number of a --version output, with an
// optional leading v: "nftables v1.0.6 (Lester Gooch #5)", "iptables
// v1.8.9 (nf_tables)", "conmon version 2.1.6", "crun version 1.8.1",
// "runc version 1.1.5".
var versionRE = regexp.MustCompile(`\bv?([0-9]+(\.[0-9]+)+)`)

// ParseToolVersion returns the version a --version output prints, or "".
func ParseToolVersion(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if m := versionRE.FindStringSubmatch(line); m != nil {
			if _, err := sim.ParseVersion(m[1]); err == nil {
				return m[1]
			}
		}
	}
	return ""
}
