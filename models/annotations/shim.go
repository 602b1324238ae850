package annotations

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Shim is the component under test: the annotation store of one sandbox's
// shim. The first Create of a sandbox or single container creates the
// sandbox; pod containers join it. Delete of the sandbox's id deletes the
// sandbox with every container; the shim then exits.
type Shim interface {
	// Create handles containerd's task create: the container id and its
	// bundle's config.json, as read from disk.
	Create(id string, config []byte) error
	// Delete removes a container, or the whole sandbox.
	Delete(id string) error
	// Annotations returns the annotations of the spec the shim holds for a
	// container (the spec it hands the agent), and whether it knows the id.
	Annotations(id string) (map[string]string, bool)
	// Spec returns that spec as written out (JSON).
	Spec(id string) ([]byte, bool)
	// Registered lists the functions registered per PCIe port, port kinds
	// in the order of Ports, each port's list in registration order.
	Registered() []Registration
}

// Builder makes a sandbox's shim from the node and the configuration; log
// records what the shim does in the trace.
type Builder func(node Node, cfg Config, log func(format string, args ...any)) Shim

// NewReference builds the fixed shim (Kata 3.9.0): the CDI write makes the
// spec's annotation map first when the decoded spec had none
// (kata-containers/kata-containers#10276).
func NewReference(node Node, cfg Config, log func(string, ...any)) Shim {
	return newKata(node, cfg, log, true)
}

// NewKata380 builds Kata 3.8.0's shim: the CDI write assigns into
// CustomSpec.Annotations as decoded, which is nil for a spec without
// annotations (kata-containers/kata-containers#10266). Nothing here panics
// on purpose: Go does.
func NewKata380(node Node, cfg Config, log func(string, ...any)) Shim {
	return newKata(node, cfg, log, false)
}

// kataShim has the shape of Kata's virtcontainers for what annotations
// need: oci.ContainerConfig, Sandbox.coldOrHotPlugVFIO, the VFIO device's
// Attach and Detach, Container.createDevices, create and
// annotateContainerWithVFIOMetadata (src/runtime/virtcontainers/container.go).
type kataShim struct {
	node Node
	cfg  Config
	log  func(string, ...any)
	// makeMap is the fix of #10276: make the annotations map before writing.
	makeMap bool

	// mu is the service's lock: containerd's ttrpc server runs each
	// request on its own goroutine, and every task call of Kata's
	// containerd-shim-v2 service (Create, Delete, State, ...) holds it
	// throughout.
	mu         sync.Mutex
	sandbox    string
	exited     bool
	ports      map[string][]Registration // PCIeDevicesPerPort, read in Ports order
	attached   map[string]*attachedGroup // by VFIO group device path
	containers []*kataContainer
}

type attachedGroup struct {
	port  string
	cold  bool
	count int // the device's attach count
	bdfs  []string
}

type kataContainer struct {
	id    string
	ctype ContainerType
	// annotations is ContainerConfig.Annotations: the decoded spec's map
	// itself when it had one, else a new map.
	annotations map[string]string
	// spec is ContainerConfig.CustomSpec, handed to the agent.
	spec    *specs.Spec
	devices []string // c.devices: what create attached, in order
}

func newKata(node Node, cfg Config, log func(string, ...any), makeMap bool) *kataShim {
	return &kataShim{node: node, cfg: cfg, log: log, makeMap: makeMap,
		ports: map[string][]Registration{}, attached: map[string]*attachedGroup{}}
}

func (s *kataShim) find(id string) *kataContainer {
	for _, c := range s.containers {
		if c.id == id {
			return c
		}
	}
	return nil
}

// Create implements Shim.
func (s *kataShim) Create(id string, raw []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exited {
		return errors.New("the shim has exited")
	}
	spec, err := DecodeSpec(raw)
	if err != nil {
		return err
	}
	ctype, err := TypeOf(spec)
	if err != nil {
		return err
	}
	if s.find(id) != nil {
		return fmt.Errorf("container %s already exists", id)
	}
	c := containerConfig(id, spec, ctype)
	if ctype == PodContainer {
		if sid, _ := SandboxOf(spec); s.sandbox == "" || sid != s.sandbox {
			return fmt.Errorf("sandbox %q of container %s is not this shim's (%q)", sid, id, s.sandbox)
		}
		return s.createContainer(c)
	}
	if s.sandbox != "" {
		return fmt.Errorf("sandbox %s exists: a %s cannot be created in it", s.sandbox, ctype)
	}
	return s.createSandbox(c)
}

// containerConfig is Kata's oci.ContainerConfig: the container's
// annotations are the spec's map when it has one (so the runtime's keys
// land in the spec too), a new map otherwise; CustomSpec is the spec.
func containerConfig(id string, spec *specs.Spec, ctype ContainerType) *kataContainer {
	ann := spec.Annotations
	if ann == nil {
		ann = map[string]string{BundlePathKey: BundlePath(id, ctype)}
	} else {
		ann[BundlePathKey] = BundlePath(id, ctype)
	}
	ann[ContainerTypeKey] = string(ctype)
	return &kataContainer{id: id, ctype: ctype, annotations: ann, spec: spec}
}

// createSandbox cold-plugs the spec's VFIO groups (coldOrHotPlugVFIO and
// the sandbox's AddDevice), then creates the sandbox's own container.
func (s *kataShim) createSandbox(c *kataContainer) error {
	if plug, port := s.cfg.Plug(); plug == PlugCold {
		for _, p := range DevicePaths(c.spec) {
			if !IsVFIODevice(p) {
				continue
			}
			s.log("cold-plug %s to a %s", p, port)
			if err := s.attach(p, port, true); err != nil {
				s.reset()
				return fmt.Errorf("cold-plug %s: %w", p, err)
			}
		}
	}
	s.sandbox = c.id
	if err := s.createContainer(c); err != nil {
		s.reset()
		return err
	}
	return nil
}

// createContainer is newContainer's createDevices followed by create: VFIO
// devices go to the hot-plug or cold-plug list, the cold-plugged ones are
// annotated, the others attached (rolled back on error) and annotated.
func (s *kataShim) createContainer(c *kataContainer) error {
	plug, port := s.cfg.Plug()
	var hot, cold []string
	for _, p := range DevicePaths(c.spec) {
		vfio := IsVFIODevice(p)
		switch {
		case plug == PlugHot && vfio:
			hot = append(hot, p)
		case plug == PlugCold && vfio:
			cold = append(cold, p) // cold-plugged with the sandbox
		default:
			hot = append(hot, p)
		}
	}
	attach := hot
	if plug == PlugCold && s.cfg.VFIOMode == ModeVFIO {
		attach = cold
	}
	s.annotate(c, cold)
	hotPort := ""
	if plug == PlugHot {
		hotPort = port
	}
	for _, p := range controlFirst(attach) {
		if IsVFIODevice(p) {
			if err := s.attach(p, hotPort, false); err != nil {
				s.detach(c)
				return fmt.Errorf("attach %s: %w", p, err)
			}
		}
		c.devices = append(c.devices, p)
	}
	s.annotate(c, c.devices)
	s.containers = append(s.containers, c)
	s.log("created %s %s", c.ctype, c.id)
	return nil
}

// controlFirst puts /dev/vfio/vfio first (sortContainerVFIODevices).
func controlFirst(paths []string) []string {
	var out []string
	for _, p := range paths {
		if IsVFIOControlDevice(p) {
			out = append([]string{p}, out...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// Delete implements Shim.
func (s *kataShim) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exited {
		return errors.New("the shim has exited")
	}
	if id == s.sandbox && id != "" {
		for i := len(s.containers) - 1; i >= 0; i-- {
			s.detach(s.containers[i])
		}
		s.reset()
		s.exited = true
		s.log("sandbox %s deleted, shim exits", id)
		return nil
	}
	c := s.find(id)
	if c == nil {
		return fmt.Errorf("container %s not found", id)
	}
	s.detach(c)
	s.containers = slices.DeleteFunc(s.containers, func(x *kataContainer) bool { return x == c })
	s.log("deleted container %s", id)
	return nil
}

// Annotations implements Shim.
func (s *kataShim) Annotations(id string) (map[string]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.find(id)
	if c == nil {
		return nil, false
	}
	return maps.Clone(c.spec.Annotations), true
}

// Spec implements Shim.
func (s *kataShim) Spec(id string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.find(id)
	if c == nil {
		return nil, false
	}
	b, err := json.Marshal(c.spec)
	return b, err == nil
}

// Registered implements Shim.
func (s *kataShim) Registered() []Registration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Registration
	for _, p := range Ports {
		out = append(out, s.ports[p]...)
	}
	return out
}
