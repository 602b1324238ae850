package signals

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/schema"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
	"github.com/faultsim/faultsim/sim/proc"
)

// codec reads and writes the signals model's fields: options,
// containers, faults and the stop steps.
type codec struct{}

func (codec) Reference() schema.Reference { return scenarioFields }

func (codec) Parse(p *schema.Decoder, root *yaml.Node, f map[string]*yaml.Node, variant string) (models.Case, error) {
	c := &Case{Node: node.Default(), Variant: variant}
	var err error
	if c.Node, err = p.NodeOf(f); err != nil {
		return nil, err
	}
	if n := f["options"]; n != nil {
		if err := signalsOptions(p, n, &c.Config); err != nil {
			return nil, err
		}
	}
	n := f["containers"]
	if n == nil {
		return nil, p.Errf(root, "containers", "missing: expected a list of containers such as - {name: db, grace: 30s, cleanup: 10s}")
	}
	if c.Containers, err = signalsContainers(p, n); err != nil {
		return nil, err
	}
	names := make([]string, len(c.Containers))
	for i, ct := range c.Containers {
		names[i] = ct.Name
	}
	if n := f["faults"]; n != nil {
		if c.Faults, err = p.Faults(n); err != nil {
			return nil, err
		}
		for i, flt := range c.Faults {
			if t, ok := flt.(interface{ Target() string }); ok && !slices.Contains(names, t.Target()) {
				return nil, p.Errf(n.Content[i], fmt.Sprintf("faults[%d].container", i), "%q: expected one of the containers (%s)", t.Target(), strings.Join(names, ", "))
			}
			if pn, ok := flt.(PidNamespaceInit); ok && c.container(pn.Container).HostPID {
				return nil, p.Errf(n.Content[i], fmt.Sprintf("faults[%d].container", i), "%q has host_pid: true, so it shares the node's pid namespace: expected a container with a pid namespace of its own", pn.Container)
			}
		}
	}
	n = f["steps"]
	if n == nil {
		return nil, p.Errf(root, "steps", "missing: expected a list of steps")
	}
	if c.Steps, err = signalsSteps(p, n, names); err != nil {
		return nil, err
	}
	return c, nil
}

func signalsOptions(p *schema.Decoder, n *yaml.Node, cfg *Config) error {
	f, err := p.Fields(n, "options", scenarioFields.Keys("options")...)
	if err != nil {
		return err
	}
	if v := f["shutdown_grace_period"]; v != nil {
		if cfg.ShutdownGracePeriod, err = p.Duration(v, "options.shutdown_grace_period"); err != nil {
			return err
		}
	}
	return nil
}

func signalsContainers(p *schema.Decoder, n *yaml.Node) ([]Container, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.Errf(n, "containers", "expected a non-empty list of containers")
	}
	var out []Container
	for i, item := range n.Content {
		field := fmt.Sprintf("containers[%d]", i)
		f, err := p.Fields(item, field, scenarioFields.Keys("containers[]")...)
		if err != nil {
			return nil, err
		}
		var ct Container
		if ct.Name, err = p.RequiredIn(item, f, field, "name"); err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(o Container) bool { return o.Name == ct.Name }) {
			return nil, p.Errf(f["name"], field+".name", "%q given twice: expected unique container names", ct.Name)
		}
		ct.Grace = 30 * time.Second
		if g := f["grace"]; g != nil {
			if ct.Grace, err = p.Duration(g, field+".grace"); err != nil {
				return nil, err
			}
			if ct.Grace%time.Second != 0 {
				return nil, p.Errf(g, field+".grace", "%s: expected whole seconds (terminationGracePeriodSeconds)", g.Value)
			}
		}
		if s := f["stop_signal"]; s != nil {
			sig, err := proc.ParseSignal(s.Value)
			if err != nil || s.Kind != yaml.ScalarNode {
				return nil, p.Errf(s, field+".stop_signal", "%q: expected a signal such as SIGTERM, SIGINT or SIGQUIT", s.Value)
			}
			ct.StopSignal = sig
		}
		if cl := f["cleanup"]; cl != nil {
			if ct.Cleanup, err = p.Duration(cl, field+".cleanup"); err != nil {
				return nil, err
			}
		}
		if err := containerTree(p, f, field, &ct); err != nil {
			return nil, err
		}
		out = append(out, ct)
	}
	return out, nil
}

// signalsSteps reads the steps; the list may be empty ([]), since booting
// the node and creating the containers is itself a run.
func signalsSteps(p *schema.Decoder, n *yaml.Node, names []string) ([]Step, error) {
	ops := scenarioFields.OpNames()
	var out []Step
	err := p.EachStep(n, true, scenarioFields.Keys("steps[]"), func(it schema.StepItem) error {
		item, f, field := it.Node, it.F, it.Field
		s := Step{At: it.At}
		var err error
		if s.Op, err = p.RequiredIn(item, f, field, "op"); err != nil {
			return err
		}
		if !slices.Contains(ops, s.Op) {
			return p.Errf(f["op"], field+".op", "unknown operation %q: expected one of %s", s.Op, strings.Join(ops, ", "))
		}
		if s.Op == OpShutdown {
			if f["container"] != nil || f["timeout"] != nil || f["runs"] != nil || f["children"] != nil {
				return p.Errf(item, field, "%s takes only at", s.Op)
			}
			out = append(out, s)
			return nil
		}
		if s.Container, err = p.RequiredIn(item, f, field, "container"); err != nil {
			return err
		}
		if !slices.Contains(names, s.Container) {
			return p.Errf(f["container"], field+".container", "%q: expected one of the containers (%s)", s.Container, strings.Join(names, ", "))
		}
		to := f["timeout"]
		switch {
		case s.Op == OpDelete && to != nil:
			return p.Errf(to, field+".timeout", "%s uses the pod's grace period: expected no timeout", s.Op)
		case s.Op == OpStop && to == nil:
			return p.Errf(item, field+".timeout", "missing: expected the StopContainer timeout, such as 30s or 0s")
		case to != nil:
			if s.Timeout, err = p.Duration(to, field+".timeout"); err != nil {
				return err
			}
		}
		switch runs := f["runs"]; {
		case s.Op != OpExecSync && runs != nil:
			return p.Errf(runs, field+".runs", "%s runs no command: expected no runs", s.Op)
		case s.Op == OpExecSync && runs == nil:
			return p.Errf(item, field+".runs", "missing: expected how long the command runs, such as 5s")
		case runs != nil:
			if s.Runs, err = p.Duration(runs, field+".runs"); err != nil {
				return err
			}
		}
		if ch := f["children"]; ch != nil && s.Op != OpExecSync {
			return p.Errf(ch, field+".children", "%s runs no command: expected no children", s.Op)
		}
		if s.Children, err = childList(p, f["children"], field, "steps[].children[]"); err != nil {
			return err
		}
		if len(s.Children) > MaxExecChildren {
			return p.Errf(f["children"], field+".children", "%d children: expected at most %d", len(s.Children), MaxExecChildren)
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

func (codec) Format(b *strings.Builder, mc models.Case) {
	c := mc.(*Case)
	schema.FormatNode(b, c.Node)
	if c.Config != (Config{}) {
		b.WriteString("options:\n")
		if c.Config.ShutdownGracePeriod != 0 {
			fmt.Fprintf(b, "  shutdown_grace_period: %s\n", sim.FormatDuration(c.Config.ShutdownGracePeriod))
		}
	}
	schema.FormatListStart(b, "", "containers", len(c.Containers))
	for _, ct := range c.Containers {
		fmt.Fprintf(b, "  - {name: %s, grace: %s, cleanup: %s", schema.Quote(ct.Name), sim.FormatDuration(ct.Grace), sim.FormatDuration(ct.Cleanup))
		if ct.StopSignal != 0 {
			fmt.Fprintf(b, ", stop_signal: %s", proc.SignalName(ct.StopSignal))
		}
		formatTree(b, ct)
		b.WriteString("}\n")
	}
	schema.FormatFaults(b, c.Faults)
	schema.FormatListStart(b, "", "steps", len(c.Steps))
	for _, s := range c.Steps {
		fmt.Fprintf(b, "  - {at: %s, op: %s", sim.FormatDuration(s.At), s.Op)
		if s.Op != OpShutdown {
			fmt.Fprintf(b, ", container: %s", schema.Quote(s.Container))
		}
		if s.Op == OpStop || s.Op == OpExecSync {
			fmt.Fprintf(b, ", timeout: %s", sim.FormatDuration(s.Timeout))
		}
		if s.Op == OpExecSync {
			fmt.Fprintf(b, ", runs: %s", sim.FormatDuration(s.Runs))
			if len(s.Children) > 0 {
				formatChildren(b, s.Children)
			}
		}
		b.WriteString("}\n")
	}
}
