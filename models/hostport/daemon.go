package hostport

import (
	"fmt"
	"slices"
	"strings"
	"sync"

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
	// stop is held while the sandbox stops, as CRI-O's StopMutex.
	stop sync.Mutex
}

// Store is the daemon's persisted state: it survives restarts and crashes,
// as CRI-O's on-disk state does. Its lock makes it safe for concurrent
// handlers, as CRI-O's sandbox store is.
type Store struct {
	mu        sync.Mutex
	sandboxes []*Sandbox
}

func (s *Store) find(id string) *Sandbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sb := range s.sandboxes {
		if sb.ID == id {
			return sb
		}
	}
	return nil
}

func (s *Store) add(sb *Sandbox) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sandboxes = append(s.sandboxes, sb)
}

func (s *Store) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sandboxes = slices.DeleteFunc(s.sandboxes, func(sb *Sandbox) bool { return sb.ID == id })
}

// list is a copy of the sandboxes.
func (s *Store) list() []*Sandbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sandboxes)
}

// Daemon is a CRI-O-like daemon reduced to what hostports need. Its
// handlers may run concurrently, as CRI-O's gRPC server runs them.
type Daemon struct {
	mgr   Manager
	store *Store
	log   func(format string, args ...any)
	// reserved are the ids of the sandboxes being run (under mu): CRI-O
	// reserves a pod's name and id before it creates anything, and
	// forgets the reservations when it dies.
	mu       sync.Mutex
	reserved []string
	// reservedBuf backs reserved: a daemon rarely runs more at once.
	reservedBuf [4]string
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
	d.reserved = d.reservedBuf[:0]
	for _, sb := range store.list() {
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
	if !d.reserve(id) {
		return fmt.Errorf("sandbox %s already exists", id)
	}
	defer d.release(id)
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
	d.store.add(&Sandbox{ID: id, IPs: slices.Clone(ips), Mappings: ms})
	return nil
}

// reserve reserves id for a sandbox being run: false when it names one
// that exists or is being run.
func (d *Daemon) reserve(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if slices.Contains(d.reserved, id) || d.store.find(id) != nil {
		return false
	}
	d.reserved = append(d.reserved, id)
	return true
}

// release ends the reservation of id: the sandbox is in the store, or not
// made.
func (d *Daemon) release(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if i := slices.Index(d.reserved, id); i >= 0 {
		d.reserved = slices.Delete(d.reserved, i, i+1)
	}
}

// StopPodSandbox tears down a sandbox's network and forgets it. Stopping a
// sandbox that does not exist succeeds, as CRI requires.
func (d *Daemon) StopPodSandbox(id string) error {
	sb := d.store.find(id)
	if sb == nil {
		return nil
	}
	sb.stop.Lock()
	defer sb.stop.Unlock()
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
