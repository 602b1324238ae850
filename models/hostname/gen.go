package hostname

import (
	"strings"
	"time"

	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// words build pod names; separators join them.
var (
	words      = []string{"web", "db", "api", "worker", "cache", "frontend"}
	separators = []string{"-", "."}
)

// swarmKinds are the fault kinds the generator draws.
var swarmKinds = []string{"long-pod-name"}

// Generate draws a case: pods run and stopped, some with a spec.hostname,
// some with a long name shaped by the long-pod-name data fault. Every
// decision goes through c.
func Generate(c sim.Chooser, variant string) *Case {
	cs := &Case{Node: node.Default(), Variant: variant}
	sw := modelkit.DrawSwarm(c, swarmKinds)
	var at time.Duration
	var running []string
	for i := 0; i < 6 && c.Intn(4) != 0; i++ {
		at += time.Duration(c.Intn(3)) * time.Second
		if len(running) > 0 && c.Intn(3) == 0 {
			k := c.Intn(len(running))
			cs.Steps = append(cs.Steps, Step{At: at, Op: OpStop, Pod: running[k]})
			running = append(running[:k], running[k+1:]...)
			continue
		}
		s := Step{At: at, Op: OpRun, Pod: words[c.Intn(len(words))] + "-" + string(rune('a'+i))}
		if sw.Hit(c, "long-pod-name", 3) {
			// long-pod-name: words up to past the cut, a separator at it.
			var b strings.Builder
			b.WriteString(s.Pod)
			for b.Len() < MaxHostname-1 {
				b.WriteString(separators[c.Intn(2)] + words[c.Intn(len(words))])
			}
			head := []byte(b.String()[:MaxHostname-1])
			if last := &head[len(head)-1]; *last == '-' || *last == '.' {
				*last = 'z' // a name's labels end with a letter or digit
			}
			name := string(head) + separators[c.Intn(2)] + "x"
			s.Pod, s.Fault = strings.Trim(name, "-."), "long-pod-name"
		}
		if c.Intn(4) == 0 {
			s.Hostname = words[c.Intn(len(words))]
		}
		cs.Steps = append(cs.Steps, s)
		running = append(running, s.Pod)
	}
	return cs
}
