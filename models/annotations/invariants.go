package annotations

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultsim/faultsim/sim"
)

// The invariants of the annotations model: the shim's contract, never a
// particular bug.
var (
	InvAnnotationsKept = sim.Invariant{Name: "annotations-kept",
		Summary: "the spec a container is handed carries every annotation of its config.json unchanged, except keys the runtime documents writing (its bundle path and container type, the CDI key of each GPU device), and no other new key"}
	InvGPUAnnotation = sim.Invariant{Name: "gpu-cdi-annotation",
		Summary: "in guest-kernel VFIO mode every container device that is the host path of a registered NVIDIA GPU gets cdi.k8s.io/vfio<group> = nvidia.com/gpu=<the GPU's index in bus order>"}
	InvRoundTrip = sim.Invariant{Name: "spec-round-trip",
		Summary: "the spec a container is handed, written out as JSON, decodes to the same annotations"}
	InvAccepts = sim.Invariant{Name: "accepts-valid-requests",
		Summary: "a create whose config.json decodes, with a known container type, a new id, a live sandbox (pod containers) and only VFIO groups the node has, with a VFIO port configured (in cold-plug mode: groups its sandbox cold-plugged), succeeds"}
	InvFailedCreate = sim.Invariant{Name: "failed-create-changes-nothing",
		Summary: "a refused create leaves no container of its id and no PCIe port registration behind"}
	InvDelete = sim.Invariant{Name: "delete-leaves-nothing",
		Summary: "after a delete nothing of what it deleted is left: the container's annotations and spec, the registrations of hot-plugged devices no container uses, the whole sandbox's state"}
)

// Invariants lists every invariant the model checks, the runner's included.
func Invariants() []sim.Invariant {
	return []sim.Invariant{sim.CrashInvariant, InvAnnotationsKept, InvGPUAnnotation, InvRoundTrip,
		InvAccepts, InvFailedCreate, InvDelete, sim.HangInvariant, sim.ConvergedInvariant, sim.RunawayInvariant}
}

// check compares one sandbox's shim with the spec. It skips the
// invariants reported says are broken already: the runner keeps only the
// first violation of each.
func (o *oracle) check(sb *oracleSandbox, sh Shim, now time.Duration, reported func(string) bool) []sim.Violation {
	var vs []sim.Violation
	kept, gpu := !reported(InvAnnotationsKept.Name), !reported(InvGPUAnnotation.Name)
	for _, c := range sb.containers {
		if !kept && !gpu {
			break
		}
		got, ok := sh.Annotations(c.id)
		if !ok {
			if kept {
				vs = append(vs, violation(InvAnnotationsKept, now, "container %s was created but the shim no longer knows it", c.id))
			}
			continue
		}
		if kept {
			if msg := keptProblem(c, got); msg != "" {
				vs = append(vs, violation(InvAnnotationsKept, now, "container %s: %s", c.id, msg))
			}
		}
		if gpu {
			if msg := gpuProblem(c, got); msg != "" {
				vs = append(vs, violation(InvGPUAnnotation, now, "container %s: %s", c.id, msg))
			}
		}
	}
	if !reported(InvDelete.Name) {
		vs = append(vs, o.deleteProblems(sb, sh, now)...)
	}
	return vs
}

// deleteProblems is what is left of the containers and the sandbox a
// delete removed.
func (o *oracle) deleteProblems(sb *oracleSandbox, sh Shim, now time.Duration) []sim.Violation {
	for _, id := range sb.gone {
		if _, ok := sh.Annotations(id); ok {
			return []sim.Violation{violation(InvDelete, now, "container %s was deleted but its annotations can still be looked up", id)}
		}
		if _, ok := sh.Spec(id); ok {
			return []sim.Violation{violation(InvDelete, now, "container %s was deleted but its spec is still there", id)}
		}
	}
	if sb.state == exited {
		if regs := sh.Registered(); len(regs) > 0 {
			return []sim.Violation{violation(InvDelete, now, "sandbox %s was deleted but %d PCIe port registrations are left: %v", sb.id, len(regs), regs)}
		}
	}
	return nil
}

// keptProblem says what is wrong with a container's annotations, or "".
// The maps are walked in key order only when something is wrong, so the
// message names the same key every time and a run that keeps every
// annotation does not sort them after every event.
func keptProblem(c *oracleContainer, got map[string]string) string {
	for k := range c.input {
		if inputKeyProblem(c, got, k) != "" {
			return sortedKeptProblem(c, got)
		}
	}
	for k := range got {
		if gotKeyProblem(c, got, k) != "" {
			return sortedKeptProblem(c, got)
		}
	}
	return ""
}

// sortedKeptProblem is the first problem of the input's keys, then got's,
// in key order.
func sortedKeptProblem(c *oracleContainer, got map[string]string) string {
	for _, k := range sortedKeys(c.input) {
		if msg := inputKeyProblem(c, got, k); msg != "" {
			return msg
		}
	}
	for _, k := range sortedKeys(got) {
		if msg := gotKeyProblem(c, got, k); msg != "" {
			return msg
		}
	}
	return ""
}

// inputKeyProblem says how the container lost or changed input annotation
// k, or "": only the runtime's documented keys may be overridden.
func inputKeyProblem(c *oracleContainer, got map[string]string, k string) string {
	if _, override := c.gpu[k]; override || k == BundlePathKey || k == ContainerTypeKey {
		return ""
	}
	if v, ok := got[k]; !ok || v != c.input[k] {
		return fmt.Sprintf("input annotation %s = %q became %s", k, c.input[k], describeValue(v, ok))
	}
	return ""
}

// gotKeyProblem says why the container may not hold annotation k, or "":
// it must come from the input or be one of the runtime's documented keys.
func gotKeyProblem(c *oracleContainer, got map[string]string, k string) string {
	_, given := c.input[k]
	_, gpu := c.gpu[k]
	switch {
	case given || gpu || k == BundlePathKey:
	case k == ContainerTypeKey:
		if got[k] != string(c.ctype) {
			return fmt.Sprintf("%s = %q, want %q", k, got[k], c.ctype)
		}
	default:
		return fmt.Sprintf("annotation %s = %q appeared, which neither the input nor the runtime's documented keys have", k, got[k])
	}
	return ""
}

// gpuProblem says which CDI key a container lacks or holds a wrong value
// for, the first in key order, or "".
func gpuProblem(c *oracleContainer, got map[string]string) string {
	bad := func(key string) bool {
		v, ok := got[key]
		return !ok || !slices.Contains(c.gpu[key], v)
	}
	for key := range c.gpu {
		if !bad(key) {
			continue
		}
		for _, key := range sortedKeys(c.gpu) { // name the first in key order
			if bad(key) {
				v, ok := got[key]
				return fmt.Sprintf("%s is %s, want %s", key, describeValue(v, ok), strings.Join(c.gpu[key], " or "))
			}
		}
	}
	return ""
}

func violation(inv sim.Invariant, at time.Duration, format string, args ...any) sim.Violation {
	return sim.Violation{Invariant: inv.Name, At: at, Message: fmt.Sprintf(format, args...)}
}

func describeValue(v string, ok bool) string {
	if !ok {
		return "missing"
	}
	if len(v) > 40 {
		return strconv.Quote(v[:40]) + "..."
	}
	return strconv.Quote(v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.Sort(keys)
	return keys
}
