package signals

import (
	"syscall"
	"testing"
	"time"

	"github.com/faultsim/faultsim/faults"
)

// TestStartupWindowAndNamespaceInit stops a container (grace 5s, cleanup
// 1s) at 1s on the reference variant with the start-up and pid namespace
// faults, and checks how its process ends and what the CRI server reports:
// every run keeps every invariant.
func TestStartupWindowAndNamespaceInit(t *testing.T) {
	tests := []struct {
		name     string
		faults   []faults.Fault
		exitAt   time.Duration
		killedBy syscall.Signal
		status   int
	}{
		{"handlers installed", nil, 2 * time.Second, 0, 0},
		{"stopped in the start-up window", []faults.Fault{HandlersLate{Container: "c", After: 3 * time.Second}}, time.Second, syscall.SIGTERM, 143},
		{"stopped after the start-up window", []faults.Fault{HandlersLate{Container: "c", After: 500 * time.Millisecond}}, 2 * time.Second, 0, 0},
		{"namespace init with a handler", []faults.Fault{PidNamespaceInit{Container: "c"}}, 2 * time.Second, 0, 0},
		{"namespace init without a handler", []faults.Fault{PidNamespaceInit{Container: "c"}, DiesOnStopSignal{Container: "c"}}, 6 * time.Second, syscall.SIGKILL, 137},
		{"namespace init in its start-up window", []faults.Fault{PidNamespaceInit{Container: "c"}, HandlersLate{Container: "c", After: 3 * time.Second}}, 6 * time.Second, syscall.SIGKILL, 137},
		{"namespace init ignoring its stop signal", []faults.Fault{PidNamespaceInit{Container: "c"}, IgnoresStopSignal{Container: "c"}}, 6 * time.Second, syscall.SIGKILL, 137},
		{"a capped window", []faults.Fault{HandlersLate{Container: "c", After: 1000 * time.Hour}}, time.Second, syscall.SIGTERM, 143},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{Variant: "reference", Containers: []Container{{Name: "c", Grace: 5 * time.Second, Cleanup: time.Second}},
				Faults: tt.faults, Steps: []Step{{At: time.Second, Op: OpStop, Container: "c", Timeout: 5 * time.Second}}}
			w := runWorld(t, c, false)
			x := w.crio.lookup("c")
			p := x.proc
			if !p.Exited || p.ExitedAt != tt.exitAt || p.KilledBy != tt.killedBy || !x.exitKnown || x.exitFile != tt.status {
				t.Fatalf("exited %v at %s by %v, reported %d (known %v); want at %s by %v, status %d\n%s",
					p.Exited, p.ExitedAt, p.KilledBy, x.exitFile, x.exitKnown, tt.exitAt, tt.killedBy, tt.status, w.trace.Text())
			}
		})
	}
}
