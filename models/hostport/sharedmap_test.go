package hostport

import (
	"sync"

	"github.com/faultsim/faultsim/sim/netfilter"
)

// SharedMapVariant names a manager, registered by tests only, that keeps
// the mappings of every live sandbox in one map shared by Add and Remove
// with no lock; SharedMapLockedVariant is the same manager with a lock.
const (
	SharedMapVariant       = "test-shared-map"
	SharedMapLockedVariant = "test-shared-map-locked"
)

// RegisterSharedMap registers both variants: the race-mode test in the
// parent, TestMain in a race-mode child (which runs no tests).
func RegisterSharedMap() (remove func(), err error) {
	var removes []func()
	remove = func() {
		for _, r := range removes {
			r()
		}
	}
	for _, locked := range []bool{false, true} {
		name, summary := SharedMapVariant, "keeps every sandbox's mappings in a map shared unlocked (test)"
		if locked {
			name, summary = SharedMapLockedVariant, "keeps every sandbox's mappings in a map under a lock (test)"
		}
		r, err := Register(name, summary, func(h *netfilter.Tables) (Manager, error) {
			inner, err := NewReference(h)
			if err != nil {
				return nil, err
			}
			return &sharedMapManager{inner: inner, live: map[string][]Forward{}, locked: locked}, nil
		})
		if err != nil {
			remove()
			return nil, err
		}
		removes = append(removes, r)
	}
	return remove, nil
}

// sharedMapManager is a user's manager: it keeps the forwards of the
// sandboxes it added in live, to refuse a conflict before it runs any
// tool, and leaves the installing to the reference. live may forget
// (a Remove whose tools fail, a restart): the node has the last word.
type sharedMapManager struct {
	inner  Manager
	locked bool
	mu     sync.Mutex
	live   map[string][]Forward
}

func (m *sharedMapManager) Add(id, podIP string, ms []*PortMapping) error {
	want, err := forwardsFor(id, podIP, ms, false)
	if err != nil {
		return err
	}
	if err := m.check(id, want); err != nil {
		return err
	}
	if err := m.inner.Add(id, podIP, ms); err != nil {
		return err
	}
	m.lock()
	defer m.unlock()
	m.live[id] = append(m.live[id], want...)
	return nil
}

// check refuses want when it conflicts with another sandbox's forwards.
func (m *sharedMapManager) check(id string, want []Forward) error {
	m.lock()
	defer m.unlock()
	for other, have := range m.live {
		if other == id {
			continue
		}
		if err := conflicts(want, have); err != nil {
			return err
		}
	}
	return nil
}

func (m *sharedMapManager) Remove(id string, ms []*PortMapping) error {
	m.lock()
	delete(m.live, id)
	m.unlock()
	return m.inner.Remove(id, ms)
}

func (m *sharedMapManager) lock() {
	if m.locked {
		m.mu.Lock()
	}
}

func (m *sharedMapManager) unlock() {
	if m.locked {
		m.mu.Unlock()
	}
}
