package hostname

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/schema"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// codec reads and writes the model's fields of a scenario file:
//
//	node: {distro: fedora-42}
//	steps:
//	  - {at: 0s, op: run-pod-sandbox, pod: web-a, hostname: web}
//	  - {at: 1s, op: stop-pod-sandbox, pod: web-a}
type codec struct{}

func (codec) Reference() schema.Reference { return scenarioFields }

// ValidPodName reports whether s is a DNS-1123 subdomain, which a pod's
// name must be (the parser refuses any other).
func ValidPodName(s string) bool {
	return labels(s, 253)
}

func (codec) Parse(p *schema.Decoder, root *yaml.Node, f map[string]*yaml.Node, variant string) (models.Case, error) {
	c := &Case{Node: node.Default(), Variant: variant}
	var err error
	if c.Node, err = p.NodeOf(f); err != nil {
		return nil, err
	}
	if n := f["faults"]; n != nil {
		// No component of the model takes a fault from the faults:
		// section (its one fault is a data fault, a label of the pod name
		// it shaped): Faults refuses each with its line.
		if _, err := p.Faults(n); err != nil {
			return nil, err
		}
	}
	n := f["steps"]
	if n == nil {
		return nil, p.Errf(root, "steps", "missing: expected a list of steps")
	}
	var running []string
	err = p.EachStep(n, true, scenarioFields.Keys("steps[]"), func(it schema.StepItem) error {
		s := Step{At: it.At}
		var err error
		if s.Op, err = p.RequiredIn(it.Node, it.F, it.Field, "op"); err != nil {
			return err
		}
		if s.Op != OpRun && s.Op != OpStop {
			return p.Errf(it.F["op"], it.Field+".op", "unknown operation %q: expected %s or %s", s.Op, OpRun, OpStop)
		}
		if s.Pod, err = p.RequiredIn(it.Node, it.F, it.Field, "pod"); err != nil {
			return err
		}
		if !ValidPodName(s.Pod) {
			return p.Errf(it.F["pod"], it.Field+".pod", "%q: expected a pod name (a DNS-1123 subdomain: lower-case labels of letters, digits and '-' joined by '.', at most 253 characters)", s.Pod)
		}
		if h := it.F["hostname"]; h != nil {
			if s.Op != OpRun || !label.MatchString(h.Value) || len(h.Value) > MaxHostname {
				return p.Errf(h, it.Field+".hostname", "%q: expected a DNS-1123 label of at most 63 characters, on %s only", h.Value, OpRun)
			}
			s.Hostname = h.Value
		}
		if lf := it.F["fault"]; lf != nil {
			if !slices.Contains(p.Allowed, lf.Value) {
				return p.Errf(lf, it.Field+".fault", "%q: expected the name of a data fault this model consumes (faultsim list faults)", lf.Value)
			}
			s.Fault = lf.Value
		}
		switch {
		case s.Op == OpRun && slices.Contains(running, s.Pod):
			return p.Errf(it.F["pod"], it.Field+".pod", "%q is running already: expected a new pod or a stop first", s.Pod)
		case s.Op == OpRun:
			running = append(running, s.Pod)
		case !slices.Contains(running, s.Pod):
			return p.Errf(it.F["pod"], it.Field+".pod", "%q is not running: expected one of the pods run before (%s)", s.Pod, strings.Join(running, ", "))
		default:
			running = slices.DeleteFunc(running, func(x string) bool { return x == s.Pod })
		}
		c.Steps = append(c.Steps, s)
		return nil
	})
	return c, err
}

func (codec) Format(b *strings.Builder, mc models.Case) {
	c := mc.(*Case)
	schema.FormatNode(b, c.Node)
	schema.FormatListStart(b, "", "steps", len(c.Steps))
	for _, s := range c.Steps {
		fmt.Fprintf(b, "  - {at: %s, op: %s, pod: %s", sim.FormatDuration(s.At), s.Op, schema.Quote(s.Pod))
		if s.Hostname != "" {
			fmt.Fprintf(b, ", hostname: %s", schema.Quote(s.Hostname))
		}
		if s.Fault != "" {
			fmt.Fprintf(b, ", fault: %s", s.Fault)
		}
		b.WriteString("}\n")
	}
}
