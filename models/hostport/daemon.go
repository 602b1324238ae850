package hostport

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultsim/faultsim/sim/netfilter"
)

// Config is the daemon's configuration.
type Config struct {
	// DisableHostportMapping swaps in a manager that does nothing, as
	// CRI-O's --disable-hostport-mapping.
	DisableHostportMapping bool
}

// Sandbox is a pod sandbox as the daemon persists it.
type Sandbox struct {
	ID       string
	IPs      []string
	Mappings []*PortMapping
	// Stopping is set, and persisted, before the network is torn down, so a
	// daemon that dies half-way finishes the job at its next start.
	Stopping bool
}

// Store is the daemon's persisted state: it survives restarts and crashes,
// as CRI-O's on-disk state does.
type Store struct{ sandboxes []*Sandbox }

func (s *Store) find(id string) *Sandbox {
	for _, sb := range s.sandboxes {
		if sb.ID == id {
			return sb
		}
	}
	return nil
}

func (s *Store) remove(id string) {
	s.sandboxes = slices.DeleteFunc(s.sandboxes, func(sb *Sandbox) bool { return sb.ID == id })
}

// Daemon is a CRI-O-like daemon reduced to what hostports need.
type Daemon struct {
	mgr   Manager
	store *Store
	log   func(format string, args ...any)
}

// StartDaemon starts a daemon over persisted state: it builds the manager
// from the node (refusing to start when it cannot) and finishes the
// teardown of every sandbox that was being stopped when the last daemon died.
func StartDaemon(h *netfilter.Tables, cfg Config, build Builder, store *Store, log func(string, ...any)) (*Daemon, error) {
	var mgr Manager = noopManager{}
	if !cfg.DisableHostportMapping {
		m, err := build(h)
		if err != nil {
			return nil, err
		}
		mgr = m
	}
	d := &Daemon{mgr: mgr, store: store, log: log}
	for _, sb := range slices.Clone(store.sandboxes) {
		if !sb.Stopping {
			continue
		}
		log("start-up cleanup of sandbox %s", sb.ID)
		if err := d.teardown(sb); err != nil {
			log("start-up cleanup of sandbox %s failed: %v", sb.ID, err)
		}
	}
	return d, nil
}

// RunPodSandbox creates a sandbox and makes its mappings reachable on each
// of its addresses. On error nothing of it is left.
func (d *Daemon) RunPodSandbox(id string, ips []string, ms []*PortMapping) error {
	if d.store.find(id) != nil {
		return fmt.Errorf("sandbox %s already exists", id)
	}
	// CRI-O touches hostports only for sandboxes that have mappings.
	for i := 0; i < len(ips) && len(ms) > 0; i++ {
		ip := ips[i]
		if err := d.mgr.Add(id, ip, ms); err != nil {
			if i > 0 {
				if rerr := d.mgr.Remove(id, ms); rerr != nil {
					d.log("rollback of sandbox %s failed: %v", id, rerr)
				}
			}
			return &addError{id: id, ip: ip, err: err}
		}
	}
	d.store.sandboxes = append(d.store.sandboxes, &Sandbox{ID: id, IPs: slices.Clone(ips), Mappings: ms})
	return nil
}

// StopPodSandbox tears down a sandbox's network and forgets it. Stopping a
// sandbox that does not exist succeeds, as CRI requires.
func (d *Daemon) StopPodSandbox(id string) error {
	sb := d.store.find(id)
	if sb == nil {
		return nil
	}
	sb.Stopping = true
	return d.teardown(sb)
}

func (d *Daemon) teardown(sb *Sandbox) error {
	if len(sb.Mappings) == 0 {
		d.store.remove(sb.ID)
		return nil
	}
	if err := d.mgr.Remove(sb.ID, sb.Mappings); err != nil {
		return fmt.Errorf("failed to remove hostport mapping for sandbox %s: %w", sb.ID, err)
	}
	d.store.remove(sb.ID)
	return nil
}

// addError is RunPodSandbox's error for a mapping it could not add:
// "failed to add hostport mapping for sandbox <id> on <ip>: <cause>",
// formatted only when read (campaigns run without a trace).
type addError struct {
	id, ip string
	err    error
}

func (e *addError) Error() string {
	return fmt.Sprintf("failed to add hostport mapping for sandbox %s on %s: %v", e.id, e.ip, e.err)
}

// Unwrap returns the cause.
func (e *addError) Unwrap() error { return e.err }

// mappingList formats as "[TCP *:8080->80 ...]" only when printed, so an
// untraced run never pays for it.
type mappingList []*PortMapping

func (l mappingList) String() string {
	parts := make([]string, len(l))
	for i, m := range l {
		parts[i] = FormatMapping(m)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// ipList formats as "10.88.0.2,fd00::2" only when printed.
type ipList []string

func (l ipList) String() string { return strings.Join(l, ",") }
