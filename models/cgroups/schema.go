package cgroups

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/schema"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/cgroupfs"
	"github.com/faultsim/faultsim/sim/node"
)

// codec reads and writes the cgroups model's fields: the node
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
type codec struct{}

func (codec) Reference() schema.Reference { return scenarioFields }

func (codec) Parse(p *schema.Decoder, root *yaml.Node, f map[string]*yaml.Node, variant string) (models.Case, error) {
	c := &Case{Node: node.Default(), Variant: variant, Config: DefaultConfig()}
	var err error
	if c.Node, err = p.NodeOf(f); err != nil {
		return nil, err
	}
	if n := f["config"]; n != nil {
		if err := cgroupsConfig(p, n, &c.Config); err != nil {
			return nil, err
		}
	}
	if n := f["faults"]; n != nil {
		if c.Faults, err = p.Faults(n); err != nil {
			return nil, err
		}
		for i, flt := range c.Faults {
			if t, ok := flt.(SandboxFault); ok && !ValidSandboxID(t.Target()) {
				return nil, p.Errf(n.Content[i], fmt.Sprintf("faults[%d].sandbox", i), "%q: %s", t.Target(), sandboxIDWant)
			}
		}
	}
	n := f["steps"]
	if n == nil {
		return nil, p.Errf(root, "steps", "missing: expected a list of steps")
	}
	nd, err := c.Node.Build()
	if err != nil {
		return nil, p.Errf(f["node"], "node", "%v", err)
	}
	if c.Steps, err = cgroupsSteps(p, n, cgroupfs.ProfileOf(nd)); err != nil {
		return nil, err
	}
	return c, nil
}

func (codec) Format(b *strings.Builder, mc models.Case) {
	c := mc.(*Case)
	schema.FormatNode(b, c.Node)
	fmt.Fprintf(b, "config:\n  driver: %s\n  sandbox_cgroup_only: %v\n  hypervisor: %s\n",
		c.Config.Driver, c.Config.SandboxCgroupOnly, c.Config.Hypervisor)
	schema.FormatFaults(b, c.Faults)
	schema.FormatListStart(b, "", "steps", len(c.Steps))
	for _, s := range c.Steps {
		fmt.Fprintf(b, "  - at: %s\n    op: %s\n    sandbox: %s\n", sim.FormatDuration(s.At), s.Op, schema.Quote(s.Sandbox))
		switch s.Op {
		case OpRun:
			r := s.Resources
			fmt.Fprintf(b, "    resources: {cpu_shares: %d, cpu_quota: %d, cpus: %s, memory: %d, pids: %d}\n",
				r.Shares, r.Quota, schema.DQuote(r.Cpus), r.Memory, r.Pids)
		case OpAdd:
			fmt.Fprintf(b, "    container: %s\n    cpus: %s\n", schema.Quote(s.Container), schema.DQuote(s.Resources.Cpus))
		case OpRemove:
			fmt.Fprintf(b, "    container: %s\n", schema.Quote(s.Container))
		}
	}
}

func cgroupsConfig(p *schema.Decoder, n *yaml.Node, cfg *Config) error {
	f, err := p.Fields(n, "config", scenarioFields.Keys("config")...)
	if err != nil {
		return err
	}
	if v := f["driver"]; v != nil {
		if v.Value != DriverSystemd && v.Value != DriverCgroupfs {
			return p.Errf(v, "config.driver", "%q: expected systemd or cgroupfs", v.Value)
		}
		cfg.Driver = v.Value
	}
	if v := f["sandbox_cgroup_only"]; v != nil {
		b, err := p.Boolean(v, "config.sandbox_cgroup_only")
		if err != nil {
			return err
		}
		cfg.SandboxCgroupOnly = b
	}
	if v := f["hypervisor"]; v != nil {
		if v.Value != QEMU && v.Value != Firecracker {
			return p.Errf(v, "config.hypervisor", "%q: expected qemu or firecracker", v.Value)
		}
		cfg.Hypervisor = v.Value
	}
	return nil
}

func cgroupsSteps(p *schema.Decoder, n *yaml.Node, prof cgroupfs.Profile) ([]Step, error) {
	var out []Step
	err := p.EachStep(n, true, scenarioFields.Keys("steps[]"), func(it schema.StepItem) error {
		item, f, field := it.Node, it.F, it.Field
		s := Step{At: it.At}
		var err error
		if s.Op, err = p.RequiredString(item, f, "op"); err != nil {
			return err
		}
		if s.Sandbox, err = p.RequiredString(item, f, "sandbox"); err != nil {
			return err
		}
		if !ValidSandboxID(s.Sandbox) {
			return p.Errf(f["sandbox"], field+".sandbox", "%q: %s", s.Sandbox, sandboxIDWant)
		}
		allowed := map[string][]string{
			OpRun:    {"resources"},
			OpAdd:    {"container", "cpus"},
			OpRemove: {"container"},
			OpStop:   nil,
		}
		extra, ok := allowed[s.Op]
		if !ok {
			return p.Errf(f["op"], field+".op", "unknown operation %q: expected %s, %s, %s or %s",
				s.Op, OpRun, OpAdd, OpRemove, OpStop)
		}
		for _, k := range []string{"container", "resources", "cpus"} {
			if f[k] != nil && !contains(extra, k) {
				return p.Errf(f[k], field+"."+k, "%s does not take %s", s.Op, k)
			}
		}
		if s.Op == OpAdd || s.Op == OpRemove {
			if s.Container, err = p.RequiredString(item, f, "container"); err != nil {
				return err
			}
		}
		if c := f["cpus"]; c != nil {
			if s.Resources.Cpus, err = cpuList(p, c, field+".cpus", prof); err != nil {
				return err
			}
		}
		if r := f["resources"]; r != nil {
			if s.Resources, err = cgroupsResources(p, r, field+".resources", prof); err != nil {
				return err
			}
		}
		if s.Op == OpRun && f["resources"] == nil {
			return p.Errf(item, field+".resources", "missing: expected the sandbox's resources")
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

func ValidSandboxID(id string) bool {
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
func cpuList(p *schema.Decoder, n *yaml.Node, field string, prof cgroupfs.Profile) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", p.Errf(n, field, "expected a CPU list such as 0-1 or 2,3 (or empty)")
	}
	set, err := cgroupfs.ParseList(n.Value)
	if err != nil {
		return "", p.Errf(n, field, "%v", err)
	}
	if len(set) > 0 && set[len(set)-1] >= prof.CPUs {
		return "", p.Errf(n, field, "%q: CPU %d is not online on node %s: expected CPUs 0 to %d", n.Value, set[len(set)-1], prof.Name, prof.CPUs-1)
	}
	return cgroupfs.FormatList(set), nil
}

func cgroupsResources(p *schema.Decoder, n *yaml.Node, field string, prof cgroupfs.Profile) (Resources, error) {
	var r Resources
	f, err := p.Fields(n, field, scenarioFields.Keys("steps[].resources")...)
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
			return 0, p.Errf(v, field+"."+key, "%q: expected 0 (unset) or a number from %d to %d", v.Value, lo, hi)
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
		if r.Cpus, err = cpuList(p, c, field+".cpus", prof); err != nil {
			return r, err
		}
	}
	return r, nil
}
