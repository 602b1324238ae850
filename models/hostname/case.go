package hostname

import (
	"slices"
	"strings"
	"time"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// The operations a step performs, as kubelet calls them.
const (
	OpRun  = "run-pod-sandbox"
	OpStop = "stop-pod-sandbox"
)

// Step is one kubelet call at a virtual time.
type Step struct {
	At time.Duration
	Op string
	// Pod is the pod's name (metadata.name), Hostname its spec.hostname.
	Pod, Hostname string
	// Fault names the data fault that shaped the step, when one did.
	Fault string
}

// Case is one run: the node, the variant, the faults and kubelet's calls.
type Case struct {
	Node    node.Spec
	Variant string
	Steps   []Step
}

// VariantName is the variant the case runs.
func (c *Case) VariantName() string { return c.Variant }

// Size is what shrinking minimises: the steps and the names' lengths.
func (c *Case) Size() int {
	n := 0
	for _, s := range c.Steps {
		n += 1 + (len(s.Pod)+len(s.Hostname))/16
	}
	return n
}

// Run executes the case; simultaneous calls are ordered by ch.
func (c *Case) Run(ch sim.Chooser, trace bool) (sim.Result, error) { return Run(c, ch, trace) }

// Clone returns a deep copy.
func (c *Case) Clone() *Case {
	out := *c
	out.Node.Tools = slices.Clone(c.Node.Tools)
	out.Steps = slices.Clone(c.Steps)
	return &out
}

// Simplify returns the one-change simplifications of c, biggest first:
// without a pod (its run and its stops), without a step, without a
// spec.hostname, with a pod's name shortened by half.
func (c *Case) Simplify() []models.Case {
	s := modelkit.NewSimplifier(c, (*Case).Clone)
	for _, st := range c.Steps {
		if st.Op == OpRun {
			s.Try(func(d *Case) { d.Steps = slices.DeleteFunc(d.Steps, func(x Step) bool { return x.Pod == st.Pod }) })
		}
	}
	for i, st := range c.Steps {
		if st.Op == OpStop {
			s.Try(func(d *Case) { d.Steps = slices.Delete(d.Steps, i, i+1) })
		}
	}
	for i, st := range c.Steps {
		if st.Hostname != "" {
			s.Try(func(d *Case) { d.Steps[i].Hostname = "" })
		}
		short := strings.TrimLeft(st.Pod[len(st.Pod)/2:], "-.")
		if st.Op != OpRun || short == "" || short == st.Pod || slices.ContainsFunc(c.Steps, func(x Step) bool { return x.Pod == short }) {
			continue
		}
		s.Try(func(d *Case) {
			for k := range d.Steps {
				if d.Steps[k].Pod == st.Pod {
					d.Steps[k].Pod = short
				}
			}
		})
	}
	return s.Cases()
}

// faultSpecs are the model's own faults: a data fault on pod names.
func faultSpecs() []faults.Spec {
	return []faults.Spec{{Name: "long-pod-name", Kind: faults.Data,
		Summary: "the pod's name (a DNS-1123 subdomain, up to 253 characters) is longer than a host name may be, with '-' or '.' where kubelet cuts it",
		Build:   func(faults.Args) (faults.Fault, error) { return longPodName{}, nil }}}
}

type longPodName struct{}

func (longPodName) Name() string      { return "long-pod-name" }
func (longPodName) Args() faults.Args { return nil }
