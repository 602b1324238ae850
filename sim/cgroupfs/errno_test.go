package cgroupfs

import (
	"os"
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// TestRefusalErrnos: the errno of each refusal is the real kernel's, as
// the fidelity test found it on kernel 6.18 (FIDELITY.md): EINVAL for a
// read-only file, ERANGE for a CPU past the last and for cgroup.freeze
// and cgroup.kill out of range, EACCES for a v1 cpuset outside its
// parent's, ENOSPC for a move into a v1 cpuset without CPUs, and
// memory.swappiness up to 200 from 5.8.
func TestRefusalErrnos(t *testing.T) {
	for _, tt := range []struct {
		name, mode, kernel string
		ctrl, file, value  string
		cpus               string // the cgroup's v1 cpuset.cpus and mems, "" for none
		want               string // errno, "" accepted
	}{
		{"read-only v1 file", "v1", "6.6", "pids", "pids.current", "0", "", "EINVAL"},
		{"read-only v2 file", "v2", "6.6", "", "cgroup.stat", "1", "", "EINVAL"},
		{"CPU past the last", "v1", "6.6", "cpuset", "cpuset.cpus", "4", "", "ERANGE"},
		{"CPU outside the parent's", "v1", "6.6", "cpuset", "cpuset.cpus", "3", "", "EACCES"},
		{"cgroup.freeze 2", "v2", "6.6", "", "cgroup.freeze", "2", "", "ERANGE"},
		{"cgroup.freeze x", "v2", "6.6", "", "cgroup.freeze", "x", "", "EINVAL"},
		{"cgroup.kill 2", "v2", "6.6", "", "cgroup.kill", "2", "", "ERANGE"},
		{"move into a cpuset without CPUs", "v1", "6.6", "cpuset", "cgroup.procs", "900", "", "ENOSPC"},
		{"move into a cpuset with CPUs", "v1", "6.6", "cpuset", "cgroup.procs", "900", "0", ""},
		{"swappiness 150 on 5.8", "v1", "5.8", "memory", "memory.swappiness", "150", "", ""},
		{"swappiness 150 on 5.4", "v1", "5.4", "memory", "memory.swappiness", "150", "", "EINVAL"},
		{"swappiness 201 on 6.6", "v1", "6.6", "memory", "memory.swappiness", "201", "", "EINVAL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mode, err := ParseMode(tt.mode)
			if err != nil {
				t.Fatal(err)
			}
			fs := node(t, Spec{Profile: Profile{Kernel: sim.MustVersion(tt.kernel), Mode: mode, Systemd: 252, CPUs: 4, Mems: 1}})
			// The runtime makes the cgroup, as a runtime makes a sandbox's.
			if err := fs.Begin(); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(fs.Path(tt.ctrl, "/kubepods/x"), 0o755); err != nil {
				t.Fatal(err)
			}
			if r := settle(t, fs); len(r) > 0 {
				t.Fatalf("mkdir refused: %v", r)
			}
			if mode == Legacy { // the parent has CPUs 0-2
				for file, v := range map[string]string{"cpuset.cpus": "0-2", "cpuset.mems": "0"} {
					if err := fs.SetValue("/kubepods", "cpuset", file, v); err != nil {
						t.Fatal(err)
					}
				}
			}
			if tt.cpus != "" {
				for _, file := range []string{"cpuset.cpus", "cpuset.mems"} {
					if err := fs.SetValue("/kubepods/x", "cpuset", file, tt.cpus); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := fs.Begin(); err != nil {
				t.Fatal(err)
			}
			path := fs.Path(tt.ctrl, "/kubepods/x") + "/" + tt.file
			if err := os.WriteFile(path, []byte(tt.value), 0o644); err != nil {
				t.Fatal(err)
			}
			refused := settle(t, fs)
			got := ""
			for _, r := range refused {
				got += r.Errno
			}
			if got != tt.want {
				t.Fatalf("writing %q to %s: refusals %v, want errno %q", tt.value, tt.file, refused, tt.want)
			}
			if tt.file == "cgroup.procs" && tt.want == "" {
				if cg, _ := fs.CgroupOf(900, "cpuset"); cg != "/kubepods/x" {
					t.Fatalf("process 900 is in %q, want /kubepods/x", cg)
				}
			}
		})
	}
}
