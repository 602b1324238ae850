package hostport

import (
	"errors"
	"sync"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// Manager is what a hostport manager does for the daemon. Add makes the
// sandbox's mappings reachable on one pod address and must refuse (changing
// nothing) a mapping that conflicts with one installed or is invalid; Remove
// deletes everything the sandbox installed, on every family. Both may be
// called concurrently for different sandboxes.
type Manager interface {
	Add(id, podIP string, mappings []*PortMapping) error
	Remove(id string, mappings []*PortMapping) error
}

// Builder makes a Manager from what the node has. It returns an error when
// the node cannot support hostport mapping at all (no IPv4 backend works).
type Builder func(h *netfilter.Tables) (Manager, error)

// backend is one netfilter backend of one family. As CRI-O's
// hostportManagerIPTables and hostportManagerNFTables do, an add holds the
// backend's lock from its conflict check through its install (addWith),
// and a remove holds it throughout, so no add or remove of another sandbox
// comes in between.
type backend interface {
	sync.Locker
	// forwards lists what the backend installed; install installs fs.
	// The caller holds the lock.
	forwards() ([]Forward, error)
	install(fs []Forward) error
	remove(id string) error
}

// ErrNoIPv4Backend is returned when neither iptables nor nftables works for IPv4.
var ErrNoIPv4Backend = errors.New("no IPv4 hostport backend works: install iptables or nft >= 1.0.1, " +
	"or set disable_hostport_mapping = true to run without hostport mapping")

// unavailableError is a backend constructor's error, "<backend> not
// available: <cause>", formatted only when read: the managers drop it.
type unavailableError struct {
	backend string
	err     error
}

func (e *unavailableError) Error() string { return e.backend + " not available: " + e.err.Error() }

// Unwrap returns the cause.
func (e *unavailableError) Unwrap() error { return e.err }

// familyBackends are the backends of one family; a nil field is a backend
// the node does not support.
type familyBackends struct {
	iptables backend
	nftables backend
}

// preferred is the backend Add uses: nftables when it works.
func (fb *familyBackends) preferred() backend {
	if fb.nftables != nil {
		return fb.nftables
	}
	return fb.iptables
}

// metaManager is the reference: per family, nftables preferred, iptables as
// fallback, each field set only from a non-nil backend, and a family
// registered when either of its backends works.
type metaManager struct {
	families        map[netfilter.Family]*familyBackends
	keepNonPositive bool
	backends        [2]familyBackends // what families points to, by FamilyIndex
}

// NewReference builds the correct manager.
func NewReference(h *netfilter.Tables) (Manager, error) { return newMeta(h, false) }

// NewZeroPortUnfiltered builds a manager that treats host port <= 0 as a
// real port: rules for port 0, and two sandboxes mapping port 0 conflict.
func NewZeroPortUnfiltered(h *netfilter.Tables) (Manager, error) { return newMeta(h, true) }

func newMeta(h *netfilter.Tables, keepNonPositive bool) (Manager, error) {
	m := &metaManager{families: map[netfilter.Family]*familyBackends{}, keepNonPositive: keepNonPositive}
	for _, f := range netfilter.Families {
		fb := &m.backends[netfilter.FamilyIndex(f)]
		if ipt, err := newIPTablesBackend(h, f); err == nil {
			fb.iptables = ipt
		}
		if nft, err := newNFTBackend(h, f); err == nil {
			fb.nftables = nft
		}
		if fb.iptables != nil || fb.nftables != nil {
			m.families[f] = fb
		}
	}
	if m.families[netfilter.IPv4] == nil {
		return nil, ErrNoIPv4Backend
	}
	return m, nil
}

// Add implements Manager.
func (m *metaManager) Add(id, podIP string, ms []*PortMapping) error {
	return addWith(m.families, id, podIP, ms, m.keepNonPositive)
}

// addWith is the Add path shared by the meta managers: validate, compute
// the forwards for the pod address's family, and have the preferred
// backend install them (refusing conflicts).
func addWith(families map[netfilter.Family]*familyBackends, id, podIP string, ms []*PortMapping, keepNonPositive bool) error {
	if err := validate(ms); err != nil {
		return err
	}
	want, err := forwardsFor(id, podIP, ms, keepNonPositive)
	if err != nil {
		return err
	}
	fam, _ := FamilyOf(podIP)
	fb := families[fam]
	if fb == nil || len(want) == 0 {
		return nil // family not supported on this node: nothing to do
	}
	b := fb.preferred()
	b.Lock()
	defer b.Unlock()
	have, err := b.forwards()
	if err != nil {
		return err
	}
	if err := conflicts(want, have); err != nil {
		return err
	}
	return b.install(want)
}

// Remove implements Manager: it visits every backend of every family, to
// also clean rules left by another backend (an iptables-to-nftables upgrade).
func (m *metaManager) Remove(id string, _ []*PortMapping) error {
	var errs []error
	for _, f := range netfilter.Families {
		fb := m.families[f]
		if fb == nil {
			continue
		}
		for _, b := range []backend{fb.iptables, fb.nftables} {
			if b != nil {
				if err := b.remove(id); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// noopManager is what disable_hostport_mapping swaps in.
type noopManager struct{}

func (noopManager) Add(string, string, []*PortMapping) error { return nil }
func (noopManager) Remove(string, []*PortMapping) error      { return nil }

// Variant is a named Manager implementation.
type Variant = modelkit.Variant[Builder]

// Variants are the implementations: the built-in ones below and those a
// test registers with Variants.Add.
var Variants = modelkit.NewVariants(
	Variant{Variant: models.Variant{Name: "reference", Summary: "correct: typed-nil aware backends, every family with a working backend, host port <= 0 ignored"}, Build: NewReference},
	Variant{Variant: models.Variant{Name: "crio-1.33.0", Summary: "CRI-O 1.33.0: backends stored as typed-nil interfaces (SIGSEGV on delete without iptables), IPv6 only if both backends work (cri-o#9220)", Buggy: true}, Build: NewCRIO1330},
	Variant{Variant: models.Variant{Name: "zero-port-unfiltered", Summary: "treats host port 0 as a real port: rules for port 0, and pods mapping port 0 conflict (kubernetes#130460)", Buggy: true}, Build: NewZeroPortUnfiltered},
)
