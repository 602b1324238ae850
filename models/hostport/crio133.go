package hostport

import (
	"errors"

	"github.com/faultsim/faultsim/sim/netfilter"
)

// crio1330Manager has the shape of CRI-O 1.33.0's meta hostport manager.
// Each backend constructor returns a concrete pointer (nil when the backend
// does not work); the manager checks the pointers correctly, then stores
// both into interface-typed fields, so a missing backend becomes a non-nil
// interface holding a nil pointer. IPv6 is registered only when both of its
// backends work. Nothing here panics on purpose: the crash is Go's own nil
// pointer dereference when Remove calls a method on the nil backend.
type crio1330Manager struct {
	families map[netfilter.Family]*familyBackends
}

// NewCRIO1330 builds the CRI-O 1.33.0 manager.
func NewCRIO1330(h *netfilter.Tables) (Manager, error) {
	m := &crio1330Manager{families: map[netfilter.Family]*familyBackends{}}
	ipt4, _ := newIPTablesBackend(h, netfilter.IPv4)
	nft4, _ := newNFTBackend(h, netfilter.IPv4)
	if ipt4 == nil && nft4 == nil {
		return nil, ErrNoIPv4Backend
	}
	m.families[netfilter.IPv4] = &familyBackends{iptables: ipt4, nftables: nft4}
	ipt6, _ := newIPTablesBackend(h, netfilter.IPv6)
	nft6, _ := newNFTBackend(h, netfilter.IPv6)
	if ipt6 != nil && nft6 != nil {
		m.families[netfilter.IPv6] = &familyBackends{iptables: ipt6, nftables: nft6}
	}
	return m, nil
}

// Add implements Manager: nftables preferred, as in 1.33.0.
func (m *crio1330Manager) Add(id, podIP string, ms []*PortMapping) error {
	return addWith(m.families, id, podIP, ms, false)
}

// Remove implements Manager: every backend whose field is != nil.
func (m *crio1330Manager) Remove(id string, _ []*PortMapping) error {
	var errs []error
	for _, f := range netfilter.Families {
		fb := m.families[f]
		if fb == nil {
			continue
		}
		if fb.iptables != nil {
			if err := fb.iptables.remove(id); err != nil {
				errs = append(errs, err)
			}
		}
		if fb.nftables != nil {
			if err := fb.nftables.remove(id); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
