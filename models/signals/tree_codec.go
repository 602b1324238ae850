package signals

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/models/schema"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/proc"
)

// containerTree reads a container's host_pid, forward_to_group and
// children.
func containerTree(p *schema.Decoder, f map[string]*yaml.Node, field string, ct *Container) error {
	var err error
	if v := f["host_pid"]; v != nil {
		if ct.HostPID, err = p.Boolean(v, field+".host_pid"); err != nil {
			return err
		}
	}
	if v := f["forward_to_group"]; v != nil {
		if ct.ForwardToGroup, err = p.Boolean(v, field+".forward_to_group"); err != nil {
			return err
		}
	}
	ct.Children, err = childList(p, f["children"], field, "containers[].children[]")
	return err
}

// childList reads a list of children at field (nil: none); keys names
// the fields a child may have.
func childList(p *schema.Decoder, n *yaml.Node, field, keys string) ([]Child, error) {
	if n == nil {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, p.Errf(n, field+".children", "expected a list of children such as - {on_stop: handle, cleanup: 1s}")
	}
	var out []Child
	for i, item := range n.Content {
		cf := fmt.Sprintf("%s.children[%d]", field, i)
		g, err := p.Fields(item, cf, scenarioFields.Keys(keys)...)
		if err != nil {
			return nil, err
		}
		var ch Child
		if v := g["on_stop"]; v != nil {
			d, ok := dispositions[v.Value]
			if !ok || v.Kind != yaml.ScalarNode {
				return nil, p.Errf(v, cf+".on_stop", "%q: expected terminate, handle or ignore", v.Value)
			}
			ch.OnStop = d
		}
		if v := g["cleanup"]; v != nil {
			if ch.Cleanup, err = p.Duration(v, cf+".cleanup"); err != nil {
				return nil, err
			}
		}
		if v := g["own_group"]; v != nil {
			if ch.OwnGroup, err = p.Boolean(v, cf+".own_group"); err != nil {
				return nil, err
			}
		}
		if v := g["respawn"]; v != nil {
			if ch.Respawn, err = p.Duration(v, cf+".respawn"); err != nil {
				return nil, err
			}
			if ch.Respawn < MinRespawn && ch.Respawn != 0 {
				return nil, p.Errf(v, cf+".respawn", "%s: expected 0s (none) or at least %s", v.Value, MinRespawn)
			}
		}
		out = append(out, ch)
	}
	return out, nil
}

// MinRespawn bounds a supervisor's worker's life from below: a shorter one
// is a fork bomb, not a supervisor.
const MinRespawn = 100 * time.Millisecond

// dispositions are the on_stop values.
var dispositions = map[string]proc.Disposition{"terminate": proc.Terminate, "handle": proc.Handle, "ignore": proc.Ignore}

// formatTree writes what containerTree reads, inside the container's flow
// mapping.
func formatTree(b *strings.Builder, ct Container) {
	if ct.HostPID {
		b.WriteString(", host_pid: true")
	}
	if ct.ForwardToGroup {
		b.WriteString(", forward_to_group: true")
	}
	if len(ct.Children) == 0 {
		return
	}
	formatChildren(b, ct.Children)
}

// formatChildren writes what childList reads, after a comma.
func formatChildren(b *strings.Builder, children []Child) {
	b.WriteString(", children: [")
	for i, ch := range children {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "{on_stop: %s, cleanup: %s", ch.OnStop, sim.FormatDuration(ch.Cleanup))
		if ch.OwnGroup {
			b.WriteString(", own_group: true")
		}
		if ch.Respawn != 0 {
			fmt.Fprintf(b, ", respawn: %s", sim.FormatDuration(ch.Respawn))
		}
		b.WriteString("}")
	}
	b.WriteString("]")
}
