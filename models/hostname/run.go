package hostname

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// InvValid is the model's invariant: the host name is one a pod can have.
var InvValid = sim.Invariant{Name: "hostname-valid",
	Summary: "a running pod's host name is a valid RFC 1123 host name of at most 63 characters that begins the name asked for"}

// label is one RFC 1123 label: letters, digits and '-', not at either end.
var label = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// validHostname reports whether h is a host name of at most 63 characters
// whose dot-separated labels are RFC 1123 labels.
func validHostname(h string) bool { return labels(h, MaxHostname) }

// labels reports whether s is at most max characters of RFC 1123 labels
// joined by dots.
func labels(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if !label.MatchString(l) {
			return false
		}
	}
	return true
}

// Settle is how long a run goes on after its last step.
const Settle = time.Second

// Run executes a case: kubelet's calls in virtual time, the CRI server
// setting each sandbox's host name, the invariant checked after each call.
func Run(c *Case, ch sim.Chooser, trace bool) (sim.Result, error) {
	v, err := Variants.Lookup(c.Variant)
	if err != nil {
		return sim.Result{}, err
	}
	truncate := v.Build
	if _, err := c.Node.Build(); err != nil {
		return sim.Result{}, err
	}
	up := map[string]bool{}
	for i, s := range c.Steps {
		if (s.Op == OpRun) == up[s.Pod] {
			return sim.Result{}, fmt.Errorf("steps[%d]: %s %s: the pod is %s", i, s.Op, s.Pod, map[bool]string{true: "running already", false: "not running"}[up[s.Pod]])
		}
		up[s.Pod] = s.Op == OpRun
	}
	sched := sim.NewScheduler(ch)
	tr := &sim.Trace{Off: !trace}
	running := map[string]string{} // pod -> host name set
	asked := map[string]string{}   // pod -> name asked for
	var pending []sim.Violation
	var last time.Duration
	for i := range c.Steps {
		s := &c.Steps[i]
		last = max(last, s.At)
		sched.AtLabel(s.At, sim.L("kubelet ", s.Op, " ", s.Pod), func() {
			now := sched.Now()
			switch s.Op {
			case OpRun:
				want := s.Pod
				if s.Hostname != "" {
					want = s.Hostname
				}
				tr.Send(now, "kubelet", "crio", "RunPodSandbox %s hostname %q", s.Pod, want)
				h, err := truncate(want)
				if err == nil && len(h) > MaxHostname+1 {
					err = fmt.Errorf("sethostname %q: invalid argument", h)
				}
				if err != nil {
					tr.Send(now, "crio", "kubelet", "RunPodSandbox %s: %v", s.Pod, err)
					return
				}
				running[s.Pod], asked[s.Pod] = h, want
				tr.Send(now, "crio", "kubelet", "RunPodSandbox %s ok: hostname %q", s.Pod, h)
				if !validHostname(h) || !strings.HasPrefix(want, h) {
					pending = append(pending, sim.Violation{Invariant: InvValid.Name, At: now,
						Message: fmt.Sprintf("pod %s runs with host name %q (asked for %q)", s.Pod, h, want)})
				}
			case OpStop:
				tr.Send(now, "kubelet", "crio", "StopPodSandbox %s", s.Pod)
				delete(running, s.Pod)
				tr.Send(now, "crio", "kubelet", "StopPodSandbox %s ok", s.Pod)
			}
		})
	}
	r := &sim.Runner{Sched: sched, Trace: tr, Horizon: last + Settle,
		Check: func(time.Duration) []sim.Violation { vs := pending; pending = nil; return vs }}
	vs := r.Run()
	return sim.Result{Violations: vs, Trace: tr, Events: r.Events()}, nil
}
