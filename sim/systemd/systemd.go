package systemd

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrUnavailable is returned by every call while systemd's bus is down.
var ErrUnavailable = errors.New("org.freedesktop.DBus.Error.NoServer: failed to connect to the systemd bus")

// Systemd is the node's fake systemd: a version and its units. The zero
// value is a usable systemd of DefaultVersion.
type Systemd struct {
	// Version is systemd's version number (0: DefaultVersion).
	Version int
	// Unavailable makes every call fail with ErrUnavailable (D-Bus down).
	Unavailable bool
	// OnStart is called for a unit that passed validation, before it is
	// registered; its error fails StartTransientUnit and the unit does not
	// exist (the cgroupfs makes the unit's cgroup here).
	OnStart func(u *Unit) error
	// OnStop is called when a unit becomes inactive and is removed.
	OnStop func(u *Unit)

	units []*Unit
}

// DefaultVersion is the version of a zero Systemd: Fedora 42's.
const DefaultVersion = 257

func (s *Systemd) version() int {
	if s.Version == 0 {
		return DefaultVersion
	}
	return s.Version
}

// StartTransientUnit creates and starts a transient unit with the
// properties in order; a repeated property's last value wins. It fails, and
// creates nothing, when the name is taken or invalid, a property is unknown
// to this version or has a bad value, or OnStart fails.
func (s *Systemd) StartTransientUnit(name string, props []Property) (*Unit, error) {
	if s.Unavailable {
		return nil, ErrUnavailable
	}
	if err := validName(name); err != nil {
		return nil, fmt.Errorf("org.freedesktop.DBus.Error.InvalidArgs: %v", err)
	}
	if s.Unit(name) != nil {
		return nil, fmt.Errorf("org.freedesktop.systemd1.UnitExists: unit %s already exists", name)
	}
	u := &Unit{Name: name, Props: slices.Clone(props), State: Active}
	for _, p := range props {
		if !Known(p.Name, s.version()) {
			return nil, fmt.Errorf("org.freedesktop.DBus.Error.InvalidArgs: Cannot set property %s, or unknown property", p.Name)
		}
		if err := checkValue(p); err != nil {
			return nil, fmt.Errorf("org.freedesktop.DBus.Error.InvalidArgs: %s: %v", p.Name, err)
		}
	}
	if u.Kind() == "scope" {
		if err := checkSlice(u.Slice()); err != nil {
			return nil, fmt.Errorf("org.freedesktop.DBus.Error.InvalidArgs: %v", err)
		}
	}
	if s.OnStart != nil {
		if err := s.OnStart(u); err != nil {
			return nil, err
		}
	}
	if s.units == nil {
		s.units = make([]*Unit, 0, 8) // most nodes hold a few units: room for them at once
	}
	s.units = append(s.units, u)
	return u, nil
}

// checkValue validates the values whose type the fake relies on.
func checkValue(p Property) error {
	switch p.Name {
	case "DefaultDependencies", "SendSIGKILL", "SendSIGHUP", "Delegate", "CPUAccounting", "MemoryAccounting",
		"BlockIOAccounting", "TasksAccounting", "IOAccounting", "IPAccounting":
		_, err := parseBool(p.Value)
		return err
	case "TimeoutStopUSec":
		_, err := ParseUSec(p.Value)
		return err
	}
	return nil
}

// Unit returns a live unit by name, or nil.
func (s *Systemd) Unit(name string) *Unit {
	for _, u := range s.units {
		if u.Name == name {
			return u
		}
	}
	return nil
}

// Units returns the live units in creation order.
func (s *Systemd) Units() []*Unit { return slices.Clone(s.units) }

// Remove makes a unit inactive and forgets it (a transient unit is garbage
// collected once inactive). Removing an unknown unit is an error.
func (s *Systemd) Remove(name string) error {
	if s.Unavailable {
		return ErrUnavailable
	}
	i := slices.IndexFunc(s.units, func(u *Unit) bool { return u.Name == name })
	if i < 0 {
		return fmt.Errorf("org.freedesktop.systemd1.NoSuchUnit: unit %s not loaded", name)
	}
	u := s.units[i]
	s.units = slices.Delete(s.units, i, i+1)
	u.State = Inactive
	if s.OnStop != nil {
		s.OnStop(u)
	}
	return nil
}

// String lists the units and their properties, one unit a line.
func (s *Systemd) String() string {
	var b strings.Builder
	for _, u := range s.units {
		ps := make([]string, len(u.Props))
		for i, p := range u.Props {
			ps[i] = p.String()
		}
		fmt.Fprintf(&b, "%s %s [%s]\n", u.Name, u.State, strings.Join(ps, " "))
	}
	return b.String()
}
