package sim

import (
	"strings"
	"testing"
	"time"
)

// TestLivenessPhase: the faults are lifted once, at the first event past
// the last fault; what the model leaves over is a converged violation; a
// call past its bound is a hang at once, naming the call and every actor
// blocked for good.
func TestLivenessPhase(t *testing.T) {
	tests := []struct {
		name      string
		leftovers []string
		bound     time.Duration // the call's bound; 0: the call returns at 3s
		want      []string      // invariant: message part
		wantAt    []time.Duration
	}{
		{"converged", nil, 0, nil, nil},
		{"leftovers", []string{"scope crio-db.scope still active"}, 0,
			[]string{"converged: 1 thing(s) left over after the liveness phase: scope crio-db.scope still active"}, []time.Duration{10 * time.Second}},
		{"overdue call", nil, 2 * time.Second,
			[]string{"hang: kubelet waits on crio for StopContainer db since 0s did not return within 2s: kubelet waits on crio for StopContainer db since 0s; handler waits on lock opLock of db"},
			[]time.Duration{2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewScheduler(Fixed{})
			ts := &Tasks{Sched: s}
			var calls Calls
			var healedAt []time.Duration
			var op Mutex
			op.Name = "lock opLock of db"
			ts.Go("holder", func(tk *Task) { op.Lock(tk); tk.Sleep(time.Hour) })
			call := calls.Begin(Call{Caller: "kubelet", Callee: "crio", What: "StopContainer", Of: "db", Within: tt.bound})
			if tt.bound > 0 {
				ts.Go("handler", func(tk *Task) { tk.Sleep(time.Millisecond); op.Lock(tk) })
			} else {
				s.At(3*time.Second, "reply", func() { calls.End(call) })
			}
			s.At(time.Second, "fault", func() {})
			s.At(2*time.Second, "after the fault", func() {})
			s.At(10*time.Second, "end", func() {})
			live := &Liveness{From: time.Second,
				Heal:      func() { healedAt = append(healedAt, s.Now()) },
				Leftovers: func() []string { return tt.leftovers }}
			r := &Runner{Sched: s, Trace: &Trace{}, Calls: &calls, Tasks: ts, Liveness: live, Horizon: 10 * time.Second}
			vs := r.Run()
			if len(healedAt) != 1 || healedAt[0] != 2*time.Second {
				t.Fatalf("healed at %v, want once at 2s", healedAt)
			}
			var got []string
			var at []time.Duration
			for _, v := range vs {
				got = append(got, v.Invariant+": "+v.Message)
				at = append(at, v.At)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") || len(at) != len(tt.wantAt) {
				t.Fatalf("violations\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i := range at {
				if at[i] != tt.wantAt[i] {
					t.Fatalf("violation %d at %s, want %s", i, at[i], tt.wantAt[i])
				}
			}
		})
	}
}
