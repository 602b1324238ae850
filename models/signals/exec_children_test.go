package signals

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faultsim/faultsim/sim/proc"
)

// TestExecChildren: what an exec'd command forked on the reference node.
// At the timeout conmon's SIGKILL to the command's group takes the
// children in it; one that called setsid outlives the exec but not the
// container's end (the kernel's kill of the pid namespace, or kill -a of
// the cgroup with host_pid). What a command that ended by itself left
// behind runs on until the container's end.
func TestExecChildren(t *testing.T) {
	sec := time.Second
	group, own := Child{}, Child{OwnGroup: true}
	stop := Step{At: 5 * sec, Op: OpDelete, Container: "c"}
	type want struct {
		exited bool
		at     time.Duration
	}
	for _, tt := range []struct {
		name          string
		hostPID       bool
		timeout, runs time.Duration
		stop          bool
		group, setsid want
		command       want
	}{
		{"timed-out", false, 2 * sec, 10 * sec, false, want{true, 3 * sec}, want{false, 0}, want{true, 3 * sec}},
		{"timed-out-then-stop", false, 2 * sec, 10 * sec, true, want{true, 3 * sec}, want{true, 7 * sec}, want{true, 3 * sec}},
		{"timed-out-then-stop-host-pid", true, 2 * sec, 10 * sec, true, want{true, 3 * sec}, want{true, 7 * sec}, want{true, 3 * sec}},
		{"ended-first", false, 5 * sec, sec, false, want{false, 0}, want{false, 0}, want{true, 2 * sec}},
		{"ended-first-then-stop", false, 5 * sec, sec, true, want{true, 7 * sec}, want{true, 7 * sec}, want{true, 2 * sec}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			steps := []Step{{At: sec, Op: OpExecSync, Container: "c", Timeout: tt.timeout, Runs: tt.runs, Children: []Child{group, own}}}
			if tt.stop {
				steps = append(steps, stop)
			}
			c := &Case{Variant: "reference", Containers: []Container{{Name: "c", Grace: 2 * sec, HostPID: tt.hostPID}}, Steps: steps}
			w := runWorld(t, c, true)
			byName := map[string]*proc.Proc{}
			for _, p := range w.procs.All() {
				if strings.HasPrefix(p.Name, "exec-c-1") {
					byName[p.Name] = p
				}
			}
			for _, chk := range []struct {
				name string
				want want
			}{{"exec-c-1", tt.command}, {"exec-c-1-child-1", tt.group}, {"exec-c-1-child-2", tt.setsid}} {
				p := byName[chk.name]
				if p == nil {
					t.Fatalf("no process %s", chk.name)
				}
				if p.Exited != chk.want.exited || (p.Exited && p.ExitedAt != chk.want.at) {
					t.Errorf("%s: exited %v at %s, want %v at %s", chk.name, p.Exited, p.ExitedAt, chk.want.exited, chk.want.at)
				}
				if p.Exited && chk.name != "exec-c-1" || p.Exited && tt.timeout < tt.runs {
					if p.KilledBy != syscall.SIGKILL {
						t.Errorf("%s: killed by %v, want SIGKILL", chk.name, p.KilledBy)
					}
				}
			}
		})
	}
}
