package fidelity

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	cgroupsv3 "github.com/containerd/cgroups/v3"

	"github.com/faultsim/faultsim/models/cgroups"
	"github.com/faultsim/faultsim/sim/cgroupfs"
	"github.com/faultsim/faultsim/sim/systemd"
)

// noBus is the systemd of a node whose runtime uses the cgroupfs driver:
// the reference controller never calls it then, and a call is a failure.
type noBus struct{}

func (noBus) StartTransientUnit(name string, _ []systemd.Property) (*systemd.Unit, error) {
	return nil, fmt.Errorf("unexpected StartTransientUnit %s with the cgroupfs driver", name)
}
func (noBus) StopUnit(name string) error {
	return fmt.Errorf("unexpected StopUnit %s with the cgroupfs driver", name)
}
func (noBus) Version() int { return systemd.DefaultVersion }

// cgroupSide is one node the scenario runs on: where its hierarchies are
// and how the kernel settles a call.
type cgroupSide struct {
	name  string
	env   *cgroups.Env
	path  func(ctrl, rel string) string // "" when the node lacks the hierarchy
	begin func() error
	// settle ends a call; it returns what the kernel refused.
	settle func() ([]string, error)
}

// snapshot reads the compared files and memberships of rel, with the
// sandbox's PID written as PID.
func (s *cgroupSide) snapshot(rel string, pid int) map[string]string {
	out := map[string]string{}
	read := func(ctrl, file string) {
		dir := s.path(ctrl, rel)
		key := fmt.Sprintf("%s:%s/%s", label(ctrl), rel, file)
		if dir == "" {
			out[key] = "(no hierarchy)"
			return
		}
		if _, err := os.Stat(dir); err != nil {
			out[key] = "(no cgroup)"
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, file))
		switch {
		case errors.Is(err, os.ErrNotExist) && file == "cgroup.procs":
			b = nil // the simulation leaves an empty cgroup.procs out
		case err != nil:
			out[key] = "(unreadable: " + err.Error() + ")"
			return
		}
		v := strings.TrimSpace(string(b))
		out[key] = strings.ReplaceAll(v, strconv.Itoa(pid), "PID")
	}
	for _, f := range comparedFiles {
		read(f.ctrl, f.file)
	}
	for _, c := range membershipHierarchies {
		read(c, "cgroup.procs")
	}
	return out
}

func label(ctrl string) string {
	if ctrl == "" {
		return "name=systemd"
	}
	return ctrl
}

// run drives the reference controller through the scenario and returns
// the snapshots of the sandbox cgroup after each call and of the start
// cgroup after the delete.
func (s *cgroupSide) run(t *testing.T, steps []cgroupStep, sandboxPath, start string, pid int) []map[string]string {
	t.Helper()
	ctl := cgroups.NewReference(s.env)
	call := func(what string, fn func() error) {
		t.Helper()
		if err := s.begin(); err != nil {
			t.Fatalf("%s: %s: open the kernel window: %v", s.name, what, err)
		}
		err := fn()
		refused, serr := s.settle()
		if serr != nil {
			t.Fatalf("%s: %s: settle: %v", s.name, what, serr)
		}
		if err != nil || len(refused) > 0 {
			t.Fatalf("%s: %s failed: %v (refused writes: %v); expected it to succeed", s.name, what, err, refused)
		}
	}
	var snaps []map[string]string
	for i, st := range steps {
		if i == 0 {
			call("create", func() error {
				return ctl.Create(cgroups.SandboxConfig{ID: "fidelity", CgroupsPath: filepath.Join(start, "sandbox"), Resources: st.res, SandboxCgroupOnly: true})
			})
		} else {
			call("update", func() error { return ctl.Update(st.res, []int{pid}) })
		}
		snaps = append(snaps, s.snapshot(sandboxPath, pid))
	}
	call("delete", ctl.Delete)
	snaps = append(snaps, s.snapshot(sandboxPath, pid), s.snapshot(start, pid))
	return snaps
}

// simSide is the simulated node of profile p with the sleep process
// (same PID) started in the root cgroup and the start cgroup made.
func simSide(t *testing.T, p cgroupfs.Profile, start string, pid int) *cgroupSide {
	t.Helper()
	fs, err := cgroupfs.New(cgroupfs.Spec{Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := fs.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := fs.StartProcess(pid, "sleep", "/"); err != nil {
		t.Fatal(err)
	}
	if err := fs.Mkdir(start, nil); err != nil {
		t.Fatal(err)
	}
	var refused []string
	settle := func() ([]string, error) {
		rs, err := fs.Settle()
		for _, r := range rs {
			refused = append(refused, r.String())
		}
		out := refused
		refused = nil
		return out, err
	}
	env := &cgroups.Env{Mode: cgroupfs.CGMode(p.Mode), Mountpoint: fs.Mountpoint(), Systemd: noBus{}, PID: pid, StartCgroup: start, Log: t.Logf}
	env.Sync = func() {
		rs, err := fs.Settle()
		if err != nil {
			t.Errorf("simulated node: settle: %v", err)
		}
		for _, r := range rs {
			refused = append(refused, r.String())
		}
		if err := fs.Begin(); err != nil {
			t.Errorf("simulated node: begin: %v", err)
		}
	}
	return &cgroupSide{name: "simulated " + p.Name, env: env, begin: fs.Begin, settle: settle,
		path: func(ctrl, rel string) string {
			if ctrl == unified {
				if u := fs.UnifiedMountpoint(); u != "" {
					return filepath.Join(u, rel)
				}
				return ""
			}
			return fs.Path(ctrl, rel)
		}}
}

// realSide makes the private subtree start in every cgroup hierarchy of
// this machine, guarded (startGuard), after removing those of earlier runs
// whose process is gone, and starts a sleep process to stand for the shim;
// cleanups kill the process and remove the subtree, deepest first, whatever
// the test's outcome, and the guard does when the test binary dies first.
// Nothing outside the subtrees is written.
func realSide(t *testing.T, mode cgroupsv3.CGMode, start string) (*cgroupSide, int) {
	t.Helper()
	env := &cgroups.Env{Mode: mode, Mountpoint: realCgroupRoot, Systemd: noBus{}, StartCgroup: start, Log: t.Logf}
	subs, err := env.V1Hierarchy()
	if err != nil {
		t.Fatal(err)
	}
	// Co-mounted controllers (cpu and cpuacct linked to cpu,cpuacct, as
	// systemd mounts them) share one hierarchy: it is made once.
	var roots []string
	for _, s := range subs {
		if p, ok := s.(interface{ Path(string) string }); ok {
			root, err := filepath.EvalSymlinks(p.Path("/"))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(roots, root) {
				roots = append(roots, root)
			}
		}
	}
	if u := env.UnifiedMountpoint(); u != "" {
		roots = append(roots, u)
	}
	sweepStaleSubtrees(t, roots)
	var dirs []string
	for _, root := range roots {
		dirs = append(dirs, filepath.Join(root, start))
	}
	startGuard(t, dirs)
	for _, dir := range dirs {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatalf("make the private cgroup %s: %v (a leftover of an earlier run is never reused)", dir, err)
		}
		t.Cleanup(func() {
			if _, err := removeCgroup(dir); err != nil {
				t.Errorf("%v; remove it by hand (rmdir, deepest first)", err)
			}
		})
	}
	cmd := exec.Command("sleep", "60")
	// The shim dies with the test binary, whatever ends it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the stand-in shim: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	if hold, err := time.ParseDuration(os.Getenv(holdEnv)); err == nil {
		time.Sleep(hold)
	}
	env.PID = cmd.Process.Pid
	hier := func(ctrl string) string {
		if ctrl == "" {
			ctrl = "systemd"
		}
		root := filepath.Join(realCgroupRoot, ctrl)
		if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
			return ""
		}
		return root
	}
	noop := func() error { return nil }
	return &cgroupSide{name: "real cgroupfs", env: env, begin: noop,
		settle: func() ([]string, error) { return nil, nil },
		path: func(ctrl, rel string) string {
			if root := hier(ctrl); root != "" {
				return filepath.Join(root, rel)
			}
			return ""
		}}, env.PID
}
