package annotations

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
)

// UnlockedVariant names a shim, registered by tests only, whose request
// handlers share an index of annotations without the service's lock.
const UnlockedVariant = "test-unlocked"

// RegisterUnlocked registers UnlockedVariant: the race-mode test in the
// parent, TestMain in a race-mode child (which runs no tests).
func RegisterUnlocked() (remove func(), err error) {
	return Register(UnlockedVariant, "a shim whose handlers share an annotation index unlocked",
		func(Node, Config, func(string, ...any)) Shim {
			return &unlockedShim{index: map[string]string{}, specs: map[string][]byte{}}
		})
}

// unlockedShim keeps every container's annotations in one index keyed
// "<container>/<key>" and its spec by id, both maps shared by every
// request handler with no lock. It attaches no device.
type unlockedShim struct {
	index map[string]string
	specs map[string][]byte
}

func (s *unlockedShim) Create(id string, raw []byte) error {
	spec, err := DecodeSpec(raw)
	if err != nil {
		return err
	}
	if _, ok := s.specs[id]; ok {
		return fmt.Errorf("container %s already exists", id)
	}
	for k, v := range spec.Annotations {
		s.index[id+"/"+k] = v
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	s.specs[id] = b
	return nil
}

func (s *unlockedShim) Delete(id string) error {
	if _, ok := s.specs[id]; !ok {
		return fmt.Errorf("container %s not found", id)
	}
	delete(s.specs, id)
	maps.DeleteFunc(s.index, func(k, _ string) bool { return strings.HasPrefix(k, id+"/") })
	return nil
}

func (s *unlockedShim) Annotations(id string) (map[string]string, bool) {
	if _, ok := s.specs[id]; !ok {
		return nil, false
	}
	out := map[string]string{}
	for k, v := range s.index {
		if rest, ok := strings.CutPrefix(k, id+"/"); ok {
			out[rest] = v
		}
	}
	return out, true
}

func (s *unlockedShim) Spec(id string) ([]byte, bool) {
	b, ok := s.specs[id]
	return b, ok
}

func (s *unlockedShim) Registered() []Registration { return nil }
