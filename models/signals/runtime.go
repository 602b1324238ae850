package signals

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim/systemd"
)

// PropertyPrefix marks an OCI annotation that asks for a systemd property
// on the container's scope; the value is in GVariant text form.
const PropertyPrefix = "org.systemd.property."

// Annotation is one OCI annotation, in the order the CRI server added it.
type Annotation struct{ Key, Value string }

// crioAnnotations are the scope properties CRI-O asks for, through
// annotations, when it uses the systemd cgroup manager: the grace period as
// TimeoutStopUSec, CollectMode where systemd has it (236+), default
// dependencies and ordering after crio.service. With askKill the stop
// signal is asked for as KillSignal too, as Podman does; CRI-O does not.
func crioAnnotations(grace time.Duration, systemdVersion int, stop syscall.Signal, askKill bool) []Annotation {
	out := make([]Annotation, 1, 5) // at most five: no growing
	out[0] = Annotation{PropertyPrefix + "TimeoutStopUSec", "uint64 " + strconv.FormatInt(int64(grace/time.Second), 10) + "000000"}
	if askKill {
		out = append(out, Annotation{PropertyPrefix + "KillSignal", strconv.Itoa(int(stop))})
	}
	if systemd.Known("CollectMode", systemdVersion) {
		out = append(out, Annotation{PropertyPrefix + "CollectMode", "'inactive-or-failed'"})
	}
	return append(out,
		Annotation{PropertyPrefix + "DefaultDependencies", "true"},
		Annotation{PropertyPrefix + "After", "['crio.service']"})
}

// ScopeBuilder is what an OCI runtime does with a container's scope: the
// ordered property list it gives systemd, from the spec's annotations and
// its own settings (slice, pid).
type ScopeBuilder func(ann []Annotation, slice string, pid int) ([]systemd.Property, error)

// appendAnnotationProperties appends the org.systemd.property.*
// annotations, converted, to out.
func appendAnnotationProperties(out []systemd.Property, ann []Annotation) ([]systemd.Property, error) {
	for _, a := range ann {
		name, ok := strings.CutPrefix(a.Key, PropertyPrefix)
		if !ok {
			continue
		}
		v, err := gvariant(a.Value)
		if err != nil {
			return nil, fmt.Errorf("annotation %s: %v", a.Key, err)
		}
		out = append(out, systemd.Property{Name: name, Value: v})
	}
	return out, nil
}

// NewCrun117 builds scopes as crun 1.17 and runc do: its own defaults
// (slice, DefaultDependencies=false) first, then the annotations, which
// therefore win; then the description, the pid and delegation.
func NewCrun117(ann []Annotation, slice string, pid int) ([]systemd.Property, error) {
	out := make([]systemd.Property, 0, len(ann)+5)
	out = append(out, systemd.Property{Name: "Slice", Value: slice}, systemd.Property{Name: "DefaultDependencies", Value: "false"})
	out, err := appendAnnotationProperties(out, ann)
	if err != nil {
		return nil, err
	}
	return append(out, systemd.Property{Name: "Description", Value: "libcrun container"},
		systemd.Property{Name: "PIDs", Value: strconv.Itoa(pid)}, systemd.Property{Name: "Delegate", Value: "true"}), nil
}

// NewCrun116 builds scopes as crun 1.8.1 to 1.16.x did: the annotations
// first, then its own properties, DefaultDependencies=false among them, so
// the last value (its own) wins over the CRI server's request.
func NewCrun116(ann []Annotation, slice string, pid int) ([]systemd.Property, error) {
	out := make([]systemd.Property, 0, len(ann)+5)
	out = append(out, systemd.Property{Name: "Slice", Value: slice})
	out, err := appendAnnotationProperties(out, ann)
	if err != nil {
		return nil, err
	}
	return append(out, systemd.Property{Name: "Description", Value: "libcrun container"},
		systemd.Property{Name: "PIDs", Value: strconv.Itoa(pid)},
		systemd.Property{Name: "DefaultDependencies", Value: "false"},
		systemd.Property{Name: "Delegate", Value: "true"}), nil
}

// allDigits reports whether every byte of v is a decimal digit.
func allDigits(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// gvariant converts the GVariant text forms CRI-O uses to systemd's
// property text: true/false, "uint64 N", 'string', ['a', 'b'].
func gvariant(v string) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "true" || v == "false":
		return v, nil
	case v != "" && allDigits(v):
		return v, nil // a bare number is an int32
	case strings.HasPrefix(v, "uint64 "):
		digits := strings.TrimPrefix(v, "uint64 ")
		n, err := strconv.ParseUint(digits, 10, 64)
		if err != nil {
			return "", fmt.Errorf("%q: expected uint64 N", v)
		}
		if digits[0] != '0' || digits == "0" {
			return digits, nil // already as FormatUint writes it
		}
		return strconv.FormatUint(n, 10), nil
	case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'':
		return v[1 : len(v)-1], nil
	case len(v) >= 2 && v[0] == '[' && v[len(v)-1] == ']':
		if !strings.Contains(v, ",") { // one item: no list to join
			s, err := gvariant(v[1 : len(v)-1])
			if err != nil || s == "true" || s == "false" {
				return "", fmt.Errorf("%q: expected a list of quoted strings", v)
			}
			return s, nil
		}
		var items []string
		for item := range strings.SplitSeq(v[1:len(v)-1], ",") {
			s, err := gvariant(item)
			if err != nil || s == "true" || s == "false" {
				return "", fmt.Errorf("%q: expected a list of quoted strings", v)
			}
			items = append(items, s)
		}
		return strings.Join(items, " "), nil
	}
	return "", fmt.Errorf("%q: expected a GVariant boolean, uint64 N, 'string' or ['list']", v)
}

// requestedMatches reports whether a scope has what an annotation asked
// for: the same value, the same time span, or (After=) the units included.
func requestedMatches(u *systemd.Unit, p systemd.Property) bool {
	switch p.Name {
	case "After":
		for want := range strings.FieldsSeq(p.Value) {
			if !u.OrderedAfter(want) {
				return false
			}
		}
		return true
	case "TimeoutStopUSec":
		want, err := systemd.ParseUSec(p.Value)
		return err == nil && u.TimeoutStop() == want
	}
	got, ok := u.Get(p.Name)
	return ok && got == p.Value
}

// Variant is a named implementation.
type Variant = modelkit.Variant[Impl]

// Variants are the implementations: the built-in ones below and those a
// test registers with Variants.Add.
var Variants = modelkit.NewVariants(
	Variant{Variant: models.Variant{Name: "reference", Summary: "correct: the CRI server also asks for KillSignal=<stop signal>; runtime defaults first, annotations win (crun 1.17 / runc)"}, Build: Impl{Scope: NewCrun117, AskKillSignal: true}},
	Variant{Variant: models.Variant{Name: "crun-1.16", Summary: "CRI-O's annotations with crun 1.8.1-1.16: DefaultDependencies=false after them, scopes skip the shutdown transaction (cri-o#8609)", Buggy: true}, Build: Impl{Scope: NewCrun116}},
	Variant{Variant: models.Variant{Name: "crio-crun-1.17", Summary: "CRI-O's annotations as shipped (no KillSignal) with crun 1.17: node shutdown sends SIGTERM whatever the image's STOPSIGNAL (found by faultsim)", Buggy: true}, Build: Impl{Scope: NewCrun117}},
)
