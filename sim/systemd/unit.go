package systemd

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Property is one unit property as StartTransientUnit receives it, with
// its value in systemd's text form ("true", "15", "30s", "crio.service").
type Property struct {
	Name  string
	Value string
}

// String renders the property as Name=Value.
func (p Property) String() string { return p.Name + "=" + p.Value }

// State is a unit's lifecycle state.
type State int

// The unit states the fake distinguishes.
const (
	Active State = iota + 1
	Deactivating
	Inactive
)

func (s State) String() string {
	switch s {
	case Active:
		return "active"
	case Deactivating:
		return "deactivating"
	case Inactive:
		return "inactive"
	}
	return "unknown"
}

// Unit is a transient unit: its name, the properties as requested (in
// order; the effective value of a name is its last), and its state.
type Unit struct {
	Name  string
	Props []Property
	State State
	// PIDs are the processes the unit was started with (scopes).
	PIDs []int
	// stopped are the callers of Stop waiting for it to finish; the first
	// is kept in stoppedBuf.
	stopped    []func()
	stoppedBuf [1]func()
}

// Kind is the unit type: "scope", "slice" or "service".
func (u *Unit) Kind() string { return u.Name[strings.LastIndexByte(u.Name, '.')+1:] }

// Get returns a property's effective value: the last one given.
func (u *Unit) Get(name string) (string, bool) {
	for i := len(u.Props) - 1; i >= 0; i-- {
		if u.Props[i].Name == name {
			return u.Props[i].Value, true
		}
	}
	return "", false
}

// Slice is the slice the unit is in ("-.slice" when none was given).
func (u *Unit) Slice() string {
	if v, ok := u.Get("Slice"); ok && v != "" {
		return v
	}
	return "-.slice"
}

// DefaultDependencies reports whether the unit has default dependencies
// (true unless DefaultDependencies=false): only those units are stopped in
// order by the shutdown transaction.
func (u *Unit) DefaultDependencies() bool {
	v, ok := u.Get("DefaultDependencies")
	if !ok {
		return true
	}
	b, _ := parseBool(v)
	return b
}

// KillSignal is the signal a stop sends first (SIGTERM by default).
func (u *Unit) KillSignal() syscall.Signal {
	if v, ok := u.Get("KillSignal"); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return syscall.Signal(n)
		}
	}
	return syscall.SIGTERM
}

// DefaultTimeoutStop is DefaultTimeoutStopSec= of system.conf.
const DefaultTimeoutStop = 90 * time.Second

// TimeoutStop is how long a stop waits after the kill signal before
// SIGKILL (TimeoutStopUSec, default DefaultTimeoutStop). 0 means no
// timeout: systemd then waits for the processes as long as they take.
func (u *Unit) TimeoutStop() time.Duration {
	if v, ok := u.Get("TimeoutStopUSec"); ok {
		if v == "infinity" {
			return 0
		}
		if d, err := ParseUSec(v); err == nil {
			return d
		}
	}
	return DefaultTimeoutStop
}

// After lists the units this one is ordered after (all After= values).
func (u *Unit) After() []string {
	var out []string
	for _, p := range u.Props {
		if p.Name == "After" {
			out = append(out, strings.Fields(p.Value)...)
		}
	}
	return out
}

// OrderedAfter reports whether the unit is ordered after the named one (one
// of its After= values lists it): After without the list.
func (u *Unit) OrderedAfter(name string) bool {
	for _, p := range u.Props {
		if p.Name != "After" {
			continue
		}
		for f := range strings.FieldsSeq(p.Value) {
			if f == name {
				return true
			}
		}
	}
	return false
}

// ParseUSec parses a time span as systemd's TimeoutStopUSec takes it: a
// plain number of microseconds, or a Go-style duration ("30s", "1m30s").
func ParseUSec(v string) (time.Duration, error) {
	if n, err := strconv.ParseUint(v, 10, 63); err == nil {
		return time.Duration(n) * time.Microsecond, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q: expected microseconds or a duration such as 30s", v)
	}
	return d, nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "yes", "true", "on":
		return true, nil
	case "0", "no", "false", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q: expected a boolean", v)
}

// validName checks a unit name the way systemd does, in short: a name, a
// dot and a known type.
func validName(name string) error {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || !slices.Contains([]string{"scope", "slice", "service"}, name[i+1:]) {
		return fmt.Errorf("unit name %q is not valid: expected NAME.scope, NAME.slice or NAME.service", name)
	}
	return nil
}

// SlicePath expands a slice name into its cgroup path, as systemd does:
// "kubepods-besteffort.slice" is /kubepods.slice/kubepods-besteffort.slice
// and "-.slice" is the root "/".
func SlicePath(slice string) (string, error) {
	if slice == "-.slice" || slice == "" {
		return "/", nil
	}
	if err := checkSlice(slice); err != nil {
		return "", err
	}
	name := strings.TrimSuffix(slice, ".slice")
	var b strings.Builder
	prefix := ""
	for part := range strings.SplitSeq(name, "-") {
		if prefix != "" {
			prefix += "-"
		}
		prefix += part
		b.WriteString("/" + prefix + ".slice")
	}
	return b.String(), nil
}

// checkSlice is SlicePath's validation alone: a slice name SlicePath
// expands without an error.
func checkSlice(slice string) error {
	if slice == "-.slice" || slice == "" {
		return nil
	}
	name, ok := strings.CutSuffix(slice, ".slice")
	if !ok || name == "" || strings.Contains(name, "/") || strings.HasPrefix(name, "-") ||
		strings.HasSuffix(name, "-") || strings.Contains(name, "--") {
		return fmt.Errorf("slice %q is not valid: expected NAME.slice with dash-separated parts", slice)
	}
	return nil
}
