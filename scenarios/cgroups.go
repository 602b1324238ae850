package scenarios

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/cgroups"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
	"github.com/faultsim/faultsim/sim/node"
)

// cgroupsCodec reads and writes the cgroups model's fields: the node
// profile, the runtime's configuration, the faults and kubelet's steps.
//
//	node: {distro: al2-like}
//	config: {driver: systemd, sandbox_cgroup_only: true, hypervisor: firecracker}
//	faults:
//	  - {fault: systemd-version, version: "219"}
//	steps:
//	  - {at: 0s, op: run-pod-sandbox, sandbox: pod1,
//	     resources: {cpu_shares: 1024, cpu_quota: 100000, cpus: "0-1", memory: 268435456, pids: 1024}}
//	  - {at: 1s, op: create-container, sandbox: pod1, container: c1, cpus: "2"}
//	  - {at: 5s, op: stop-pod-sandbox, sandbox: pod1}
type cgroupsCodec struct{}

func init() { codecs[cgroups.Model.Name] = cgroupsCodec{} }

func (cgroupsCodec) keys() []string { return []string{"node", "config", "faults", "steps"} }

func (cgroupsCodec) parse(p *parser, root *yaml.Node, f map[string]*yaml.Node, variant string) (models.Case, error) {
	c := &cgroups.Case{Node: node.Default(), Variant: variant, Config: cgroups.DefaultConfig()}
	var err error
	if n := f["node"]; n != nil {
		if c.Node, err = p.node(n); err != nil {
			return nil, err
		}
	}
	if n := f["config"]; n != nil {
		if err := p.cgroupsConfig(n, &c.Config); err != nil {
			return nil, err
		}
	}
	if n := f["faults"]; n != nil {
		if c.Faults, err = p.faults(n); err != nil {
			return nil, err
		}
		for i, flt := range c.Faults {
			if t, ok := flt.(cgroups.SandboxFault); ok && !validSandboxID(t.Target()) {
				return nil, p.errf(n.Content[i], fmt.Sprintf("faults[%d].sandbox", i), "%q: %s", t.Target(), sandboxIDWant)
			}
		}
	}
	n := f["steps"]
	if n == nil {
		return nil, p.errf(root, "steps", "missing: expected a list of steps")
	}
	nd, err := c.Node.Build()
	if err != nil {
		return nil, p.errf(f["node"], "node", "%v", err)
	}
	if c.Steps, err = p.cgroupsSteps(n, cgroupfs.ProfileOf(nd)); err != nil {
		return nil, err
	}
	return c, nil
}

func (cgroupsCodec) format(b *strings.Builder, mc models.Case) {
	c := mc.(*cgroups.Case)
	formatNode(b, c.Node)
	fmt.Fprintf(b, "config:\n  driver: %s\n  sandbox_cgroup_only: %v\n  hypervisor: %s\n",
		c.Config.Driver, c.Config.SandboxCgroupOnly, c.Config.Hypervisor)
	formatFaults(b, c.Faults)
	formatListStart(b, "", "steps", len(c.Steps))
	for _, s := range c.Steps {
		fmt.Fprintf(b, "  - at: %s\n    op: %s\n    sandbox: %s\n", sim.FormatDuration(s.At), s.Op, quote(s.Sandbox))
		switch s.Op {
		case cgroups.OpRun:
			r := s.Resources
			fmt.Fprintf(b, "    resources: {cpu_shares: %d, cpu_quota: %d, cpus: %s, memory: %d, pids: %d}\n",
				r.Shares, r.Quota, dquote(r.Cpus), r.Memory, r.Pids)
		case cgroups.OpAdd:
			fmt.Fprintf(b, "    container: %s\n    cpus: %s\n", quote(s.Container), dquote(s.Resources.Cpus))
		case cgroups.OpRemove:
			fmt.Fprintf(b, "    container: %s\n", quote(s.Container))
		}
	}
}

func (p *parser) cgroupsConfig(n *yaml.Node, cfg *cgroups.Config) error {
	f, err := p.fields(n, "config", "driver", "sandbox_cgroup_only", "hypervisor")
	if err != nil {
		return err
	}
	if v := f["driver"]; v != nil {
		if v.Value != cgroups.DriverSystemd && v.Value != cgroups.DriverCgroupfs {
			return p.errf(v, "config.driver", "%q: expected systemd or cgroupfs", v.Value)
		}
		cfg.Driver = v.Value
	}
	if v := f["sandbox_cgroup_only"]; v != nil {
		b, err := p.boolean(v, "config.sandbox_cgroup_only")
		if err != nil {
			return err
		}
		cfg.SandboxCgroupOnly = b
	}
	if v := f["hypervisor"]; v != nil {
		if v.Value != cgroups.QEMU && v.Value != cgroups.Firecracker {
			return p.errf(v, "config.hypervisor", "%q: expected qemu or firecracker", v.Value)
		}
		cfg.Hypervisor = v.Value
	}
	return nil
}

func (p *parser) cgroupsSteps(n *yaml.Node, prof cgroupfs.Profile) ([]cgroups.Step, error) {
	var out []cgroups.Step
	err := p.eachStep(n, true, []string{"at", "op", "sandbox", "container", "resources", "cpus"}, func(it stepItem) error {
		item, f, field := it.node, it.f, it.field
		s := cgroups.Step{At: it.at}
		var err error
		if s.Op, err = p.requiredString(item, f, "op"); err != nil {
			return err
		}
		if s.Sandbox, err = p.requiredString(item, f, "sandbox"); err != nil {
			return err
		}
		if !validSandboxID(s.Sandbox) {
			return p.errf(f["sandbox"], field+".sandbox", "%q: %s", s.Sandbox, sandboxIDWant)
		}
		allowed := map[string][]string{
			cgroups.OpRun:    {"resources"},
			cgroups.OpAdd:    {"container", "cpus"},
			cgroups.OpRemove: {"container"},
			cgroups.OpStop:   nil,
		}
		extra, ok := allowed[s.Op]
		if !ok {
			return p.errf(f["op"], field+".op", "unknown operation %q: expected %s, %s, %s or %s",
				s.Op, cgroups.OpRun, cgroups.OpAdd, cgroups.OpRemove, cgroups.OpStop)
		}
		for _, k := range []string{"container", "resources", "cpus"} {
			if f[k] != nil && !contains(extra, k) {
				return p.errf(f[k], field+"."+k, "%s does not take %s", s.Op, k)
			}
		}
		if s.Op == cgroups.OpAdd || s.Op == cgroups.OpRemove {
			if s.Container, err = p.requiredString(item, f, "container"); err != nil {
				return err
			}
		}
		if c := f["cpus"]; c != nil {
			if s.Resources.Cpus, err = p.cpuList(c, field+".cpus", prof); err != nil {
				return err
			}
		}
		if r := f["resources"]; r != nil {
			if s.Resources, err = p.cgroupsResources(r, field+".resources", prof); err != nil {
				return err
			}
		}
		if s.Op == cgroups.OpRun && f["resources"] == nil {
			return p.errf(item, field+".resources", "missing: expected the sandbox's resources")
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// sandboxIDPattern is containerd's rule for identifiers: letters and
// digits, with single separators between them. A sandbox's ID names its
// cgroups, so "/", ".", ".." or NUL in it would leave (or break) the
// kubepods tree at run time; the parser refuses them where they are.
var sandboxIDPattern = regexp.MustCompile(`^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$`)

// maxSandboxID is containerd's longest identifier.
const maxSandboxID = 76

const sandboxIDWant = "expected a sandbox ID as containerd accepts one: letters and digits, with single '.', '_' or '-' between them, at most 76 characters"

func validSandboxID(id string) bool {
	return len(id) <= maxSandboxID && sandboxIDPattern.MatchString(id)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cpuList reads a CPU list of the node's online CPUs: kubelet assigns no
// other, and the model's invariants take every CPU asked for as one the
// node has (CPU 4 on a 4-CPU node once gave a false violation).
func (p *parser) cpuList(n *yaml.Node, field string, prof cgroupfs.Profile) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", p.errf(n, field, "expected a CPU list such as 0-1 or 2,3 (or empty)")
	}
	set, err := cgroupfs.ParseList(n.Value)
	if err != nil {
		return "", p.errf(n, field, "%v", err)
	}
	if len(set) > 0 && set[len(set)-1] >= prof.CPUs {
		return "", p.errf(n, field, "%q: CPU %d is not online on node %s: expected CPUs 0 to %d", n.Value, set[len(set)-1], prof.Name, prof.CPUs-1)
	}
	return cgroupfs.FormatList(set), nil
}

func (p *parser) cgroupsResources(n *yaml.Node, field string, prof cgroupfs.Profile) (cgroups.Resources, error) {
	var r cgroups.Resources
	f, err := p.fields(n, field, "cpu_shares", "cpu_quota", "cpus", "memory", "pids")
	if err != nil {
		return r, err
	}
	num := func(key string, lo, hi int64) (int64, error) {
		v := f[key]
		if v == nil {
			return 0, nil
		}
		x, err := strconv.ParseInt(v.Value, 10, 64)
		if v.Kind != yaml.ScalarNode || err != nil || x != 0 && (x < lo || x > hi) {
			return 0, p.errf(v, field+"."+key, "%q: expected 0 (unset) or a number from %d to %d", v.Value, lo, hi)
		}
		return x, nil
	}
	var shares int64
	if shares, err = num("cpu_shares", 0, 262144); err != nil {
		return r, err
	}
	r.Shares = uint64(shares)
	// kubelet raises a quota below 1 ms to 1 ms (MinQuotaPeriod), which is
	// also the least the kernel takes.
	if r.Quota, err = num("cpu_quota", 1000, 1<<40); err != nil {
		return r, err
	}
	if r.Memory, err = num("memory", 0, 1<<50); err != nil {
		return r, err
	}
	if r.Pids, err = num("pids", 0, 4194304); err != nil {
		return r, err
	}
	if c := f["cpus"]; c != nil {
		if r.Cpus, err = p.cpuList(c, field+".cpus", prof); err != nil {
			return r, err
		}
	}
	return r, nil
}
