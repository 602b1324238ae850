package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	cgroupsv3 "github.com/containerd/cgroups/v3"
	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/faultsim/faultsim/sim/systemd"
)

// reference is a correct sandbox resource controller. Where Kata's code
// is right it does the same; where it is not it:
//   - propagates the scope creation error, and sends only properties the
//     node's systemd knows (BlockIOAccounting before IOAccounting existed);
//   - creates (not loads) the cgroup through the library on every path, so
//     the limits are applied exactly once, on v1 and v2 alike, in every
//     hierarchy the library manages, including those systemd left out;
//   - refuses a node that lacks a controller the resources need, naming it
//     (on v1 the library silently skips unmounted controllers);
//   - cleans up what it made when a step fails;
//   - on delete moves its own process back where it started (on cgroup2 a
//     parent that enables controllers cannot take processes) and reports
//     an error while a process remains, so that kubelet retries.
type reference struct {
	env *Env
	sb  SandboxConfig
	// path is the sandbox cgroup; cpus the cpuset last applied.
	path, cpus string
	// cgroups are the handles of what was made (sandbox first), units the
	// scopes started.
	cgroups []any
	units   []string
}

// NewReference builds the reference controller.
func NewReference(env *Env) Controller { return &reference{env: env} }

// Create implements Controller.
func (r *reference) Create(sb SandboxConfig) (err error) {
	r.sb = sb
	defer func() {
		if err != nil {
			_ = r.cleanup()
		}
	}()
	res := sb.Resources
	if err := r.checkControllers(&res); err != nil {
		return err
	}
	useScope := IsSystemdCgroup(sb.CgroupsPath) && sb.SandboxCgroupOnly
	var path string
	if useScope {
		slice, unit, err := SliceAndUnit(sb.CgroupsPath)
		if err != nil {
			return err
		}
		if _, err := r.env.Systemd.StartTransientUnit(unit, scopeProperties(slice, unit, r.env.PID, r.env.Systemd.Version())); err != nil {
			return fmt.Errorf("create systemd scope %s: %w", unit, err)
		}
		r.units = append(r.units, unit)
		if path, err = ScopeCgroup(slice, unit); err != nil {
			return err
		}
	} else {
		path = sb.CgroupsPath
		if !IsSystemdCgroup(path) {
			path = RenameCgroupPath(path)
		}
		if path, err = ValidCgroupPath(path, r.env.Mode == cgroupsv3.Unified, IsSystemdCgroup(path)); err != nil {
			return err
		}
	}
	r.path = path
	if res.CPU != nil {
		r.cpus = res.CPU.Cpus
	}
	sandbox, err := r.create(path, &res)
	if err != nil {
		return fmt.Errorf("create sandbox cgroup %s: %w", path, err)
	}
	vmm := sandbox
	if !sb.SandboxCgroupOnly {
		if vmm, err = r.create(OverheadPath(sb.ID), &specs.LinuxResources{}); err != nil {
			return fmt.Errorf("create overhead cgroup: %w", err)
		}
	}
	if err := addProc(vmm, r.env.PID); err != nil {
		return fmt.Errorf("add runtime PID %d to its cgroup: %w", r.env.PID, err)
	}
	return nil
}

// scopeProperties are Kata's scope properties, each sent only when the
// systemd version knows it.
func scopeProperties(slice, unit string, pid, version int) []systemd.Property {
	io := "IOAccounting"
	if !systemd.Known(io, version) {
		io = "BlockIOAccounting"
	}
	props := []systemd.Property{
		{Name: "Description", Value: "cgroup " + unit},
		{Name: "DefaultDependencies", Value: "false"},
		{Name: "MemoryAccounting", Value: "true"},
		{Name: "CPUAccounting", Value: "true"},
		{Name: io, Value: "true"},
		{Name: "Slice", Value: slice},
		{Name: "Delegate", Value: "true"},
		{Name: "PIDs", Value: strconv.Itoa(pid)},
	}
	return slices.DeleteFunc(props, func(p systemd.Property) bool { return !systemd.Known(p.Name, version) })
}

// needed lists the controllers resources need.
func needed(res *specs.LinuxResources) []string {
	var out []string
	if res.CPU != nil {
		if res.CPU.Shares != nil || res.CPU.Quota != nil {
			out = append(out, "cpu")
		}
		if res.CPU.Cpus != "" || res.CPU.Mems != "" {
			out = append(out, "cpuset")
		}
	}
	if res.Memory != nil {
		out = append(out, "memory")
	}
	if res.Pids != nil {
		out = append(out, "pids")
	}
	return out
}

// checkControllers refuses a node that lacks a controller the resources
// need: on v2 the root's cgroup.controllers, on v1 the mounted hierarchies.
func (r *reference) checkControllers(res *specs.LinuxResources) error {
	var have []string
	switch r.env.Mode {
	case cgroupsv3.Unified:
		m, err := cgroup2.Load("/", cgroup2.WithMountpoint(r.env.UnifiedMountpoint()))
		if err != nil {
			return err
		}
		if have, err = m.RootControllers(); err != nil {
			return fmt.Errorf("read the node's cgroup controllers: %w", err)
		}
	case cgroupsv3.Legacy, cgroupsv3.Hybrid:
		subs, _ := r.env.V1Hierarchy()
		for _, s := range subs {
			have = append(have, string(s.Name()))
		}
	default:
		return errCgroupMode
	}
	var missing []string
	for _, c := range needed(res) {
		if !slices.Contains(have, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the node lacks the %s cgroup controller(s) the sandbox's resources need (it has: %s)",
			strings.Join(missing, ", "), strings.Join(have, " "))
	}
	return nil
}

// create makes (or takes over) a cgroup and applies resources through the
// library; the handle is kept for cleanup even when applying fails.
func (r *reference) create(path string, res *specs.LinuxResources) (any, error) {
	switch r.env.Mode {
	case cgroupsv3.Unified:
		m, err := cgroup2.NewManager(r.env.UnifiedMountpoint(), path, cgroup2.ToResources(res))
		if err != nil {
			if lm, lerr := cgroup2.Load(path, cgroup2.WithMountpoint(r.env.UnifiedMountpoint())); lerr == nil {
				r.cgroups = append(r.cgroups, lm)
			}
			return nil, err
		}
		r.cgroups = append(r.cgroups, m)
		return m, nil
	case cgroupsv3.Legacy, cgroupsv3.Hybrid:
		cg, err := cgroup1.New(cgroup1.StaticPath(path), res, cgroup1.WithHierarchy(r.env.V1Hierarchy))
		if err != nil {
			// New leaves what it made before the failure: load it to remove it.
			if lc, lerr := cgroup1.Load(cgroup1.StaticPath(path), cgroup1.WithHierarchy(r.env.V1Hierarchy)); lerr == nil {
				r.cgroups = append(r.cgroups, lc)
			}
			return nil, err
		}
		r.cgroups = append(r.cgroups, cg)
		return cg, nil
	}
	return nil, errCgroupMode
}

func addProc(cg any, pid int) error {
	switch c := cg.(type) {
	case cgroup1.Cgroup:
		return c.AddProc(uint64(pid))
	case *cgroup2.Manager:
		return c.AddProc(uint64(pid))
	}
	return errCgroupMode
}

// Update implements Controller.
func (r *reference) Update(res specs.LinuxResources, vcpus []int) error {
	if len(r.cgroups) == 0 {
		return errors.New("the sandbox has no cgroup")
	}
	if res.CPU != nil && res.CPU.Cpus == "" && r.cpus != "" {
		// No cpuset any more: back to every CPU the parent has.
		res.CPU.Cpus = r.parentCpus()
	}
	if err := r.checkControllers(&res); err != nil {
		return err
	}
	if res.CPU != nil {
		r.cpus = res.CPU.Cpus
	}
	switch c := r.cgroups[0].(type) {
	case cgroup1.Cgroup:
		if err := c.Update(&res); err != nil {
			return fmt.Errorf("update sandbox cgroup: %w", err)
		}
		if !r.sb.SandboxCgroupOnly {
			for _, tid := range vcpus {
				if err := c.AddTask(cgroup1.Process{Pid: tid}); err != nil {
					return fmt.Errorf("move vCPU thread %d: %w", tid, err)
				}
			}
		}
	case *cgroup2.Manager:
		if err := c.Update(cgroup2.ToResources(&res)); err != nil {
			return fmt.Errorf("update sandbox cgroup: %w", err)
		}
		if !r.sb.SandboxCgroupOnly {
			for _, tid := range vcpus {
				if err := c.AddProc(uint64(tid)); err != nil {
					return fmt.Errorf("move vCPU thread %d: %w", tid, err)
				}
			}
		}
	}
	return nil
}

// parentCpus reads the CPUs the sandbox cgroup's parent may use.
func (r *reference) parentCpus() string {
	parent := filepath.Dir(r.path)
	dir, file := filepath.Join(r.env.UnifiedMountpoint(), parent), "cpuset.cpus.effective"
	if r.env.Mode != cgroupsv3.Unified {
		dir, file = filepath.Join(r.env.Mountpoint, "cpuset", parent), "cpuset.effective_cpus"
	}
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Delete implements Controller.
func (r *reference) Delete() error { return r.cleanup() }

// cleanup moves the runtime back where it started, removes every cgroup
// made (sandbox and overhead) and stops the scopes; it stops at the first
// failure so that a retry finds the rest.
func (r *reference) cleanup() error {
	if len(r.cgroups) > 0 {
		if err := r.leave(); err != nil {
			return err
		}
		r.env.sync()
	}
	for len(r.cgroups) > 0 {
		last := r.cgroups[len(r.cgroups)-1]
		var err error
		switch c := last.(type) {
		case cgroup1.Cgroup:
			err = c.Delete()
		case *cgroup2.Manager:
			err = c.Delete()
		}
		if err != nil && !errors.Is(err, cgroup1.ErrCgroupDeleted) && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove sandbox cgroup: %w", err)
		}
		r.cgroups = r.cgroups[:len(r.cgroups)-1]
	}
	for len(r.units) > 0 {
		unit := r.units[len(r.units)-1]
		if err := r.env.Systemd.StopUnit(unit); err != nil && !strings.Contains(err.Error(), "NoSuchUnit") {
			return fmt.Errorf("stop scope %s: %w", unit, err)
		}
		r.units = r.units[:len(r.units)-1]
	}
	return nil
}

// leave moves the runtime's own process back to the cgroup it started in,
// in every hierarchy: on a hybrid node that includes the controller-less
// cgroup2 systemd tracks processes in (else stopping the scope kills it).
func (r *reference) leave() error {
	if r.env.Mode != cgroupsv3.Legacy {
		m, err := cgroup2.Load(r.env.StartCgroup, cgroup2.WithMountpoint(r.env.UnifiedMountpoint()))
		if err != nil {
			return err
		}
		if err := m.AddProc(uint64(r.env.PID)); err != nil {
			return fmt.Errorf("move runtime back to %s: %w", r.env.StartCgroup, err)
		}
	}
	if r.env.Mode != cgroupsv3.Unified {
		cg, err := cgroup1.Load(cgroup1.StaticPath(r.env.StartCgroup), cgroup1.WithHierarchy(r.env.V1Hierarchy))
		if err != nil {
			return err
		}
		if err := cg.AddProc(uint64(r.env.PID)); err != nil {
			return fmt.Errorf("move runtime back to %s: %w", r.env.StartCgroup, err)
		}
	}
	return nil
}
