package timeline

import (
	"slices"
	"testing"
	"time"

	"github.com/faultsim/faultsim/sim"
)

func TestLaneOrder(t *testing.T) {
	ev := func(actor, to string) sim.TraceEvent { return sim.TraceEvent{Actor: actor, Peer: to, What: "x"} }
	stack := []string{"kubelet", "crio", "containerd", "conmon", "shim", "crun", "runc", "systemd"}
	tests := []struct {
		name   string
		events []sim.TraceEvent
		order  []string
		want   []string
	}{
		{"empty", nil, stack, nil},
		{"hostport as recorded", []sim.TraceEvent{ev("node", ""), ev("supervisor", ""), ev("crio", ""), ev("kubelet", ""), ev("check", "")},
			[]string{"kubelet", "crio"}, []string{"kubelet", "crio", "supervisor", "node", "check"}},
		{"graceful stop, check and node last, the model's order first",
			[]sim.TraceEvent{ev("check", ""), ev("pid 42", ""), ev("systemd", "pid 42"), ev("crun", "systemd"), ev("conmon", "crio"), ev("kubelet", "crio"), ev("node", "")},
			stack, []string{"kubelet", "crio", "conmon", "crun", "systemd", "pid 42", "node", "check"}},
		{"processes and unknown actors keep first appearance", []sim.TraceEvent{ev("web", "pid 7"), ev("pid 3", ""), ev("crio", "web")},
			stack, []string{"crio", "web", "pid 7", "pid 3"}},
		{"a lane takes its dashed and spaced names", []sim.TraceEvent{ev("shim-pod2", ""), ev("containerd", ""), ev("shim-pod1", ""), ev("crio (CRI server)", ""), ev("shimmer", "")},
			stack, []string{"crio (CRI server)", "containerd", "shim-pod2", "shim-pod1", "shimmer"}},
		{"no order: first appearance, the simulator's last", []sim.TraceEvent{ev("check", ""), ev("crun", "kubelet")},
			nil, []string{"crun", "kubelet", "check"}},
		{"a recipient only is a lane", []sim.TraceEvent{ev("kubelet", "crio")}, stack, []string{"kubelet", "crio"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := laneOrder(tt.events, tt.order); !slices.Equal(got, tt.want) {
				t.Fatalf("lanes = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		e         sim.TraceEvent
		want      kind
		invariant string
	}{
		{sim.TraceEvent{Kind: sim.Signal, Actor: "crun", Peer: "pid 42", What: "SIGKILL"}, kindSignal, ""},
		{sim.TraceEvent{Kind: sim.Message, Actor: "crio", Peer: "crun", What: "kill db SIGTERM"}, kindMessage, ""},
		{sim.TraceEvent{Kind: sim.Message, Actor: "kubelet", Peer: "crio", What: "StopContainer db"}, kindMessage, ""},
		{sim.TraceEvent{Kind: sim.Message, Actor: "crio", Peer: "crio", What: "grace timer fired (SIGKILL next)"}, kindTimer, ""},
		{sim.TraceEvent{Kind: sim.Timer, Actor: "crio", Peer: "crio", What: "grace timer fired"}, kindTimer, ""},
		{sim.TraceEvent{At: time.Second, Kind: sim.ViolationEvent, Actor: "check", Invariant: "crash-loop", What: "VIOLATION crash-loop: the daemon crashed"}, kindViolation, "crash-loop"},
		{sim.TraceEvent{Kind: sim.Note, Actor: "check", What: "VIOLATION written by hand, not a violation"}, kindLocal, ""},
		{sim.TraceEvent{Kind: sim.CrashEvent, Actor: "node", What: "CRASH during daemon restart: panic"}, kindCrash, ""},
		{sim.TraceEvent{Kind: sim.Note, Actor: "node", What: "CRASH in a note is a note"}, kindLocal, ""},
	}
	for _, tt := range tests {
		t.Run(tt.e.String(), func(t *testing.T) {
			k, inv := classify(tt.e)
			if k != tt.want || inv != tt.invariant {
				t.Fatalf("classify = %s %q, want %s %q", k.class(), inv, tt.want.class(), tt.invariant)
			}
		})
	}
}

func TestCutAndClean(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"one two three four", 10, "one two t…"}, {"one two   three", 11, "one two…"},
		{"ééééééé", 4, "ééé…"},
		{"tab\there\nnewline", 40, "tab here newline"},
		{"bad \xff byte", 40, "bad \uFFFD byte"},
	}
	for _, tt := range tests {
		if got := cut(clean(tt.in), tt.max); got != tt.want {
			t.Errorf("cut(clean(%q), %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}
