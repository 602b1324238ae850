package sim

import (
	"strings"
	"testing"
	"time"
)

// TestRunnerReportsCallsThatNeverReturn: a call still pending when the run
// ends is a hang naming who waits on whom for what; a call that returned,
// or whose callee went away, is not.
func TestRunnerReportsCallsThatNeverReturn(t *testing.T) {
	tests := []struct {
		name string
		run  func(s *Scheduler, cs *Calls)
		want string // "" for no hang
	}{
		{"answered", func(s *Scheduler, cs *Calls) {
			c := cs.Begin(Call{Caller: "kubelet", Callee: "crio", What: "StopContainer", Of: "db"})
			s.At(time.Second, "reply", func() { cs.End(c) })
		}, ""},
		{"queued behind a finished stop", func(s *Scheduler, cs *Calls) {
			first := cs.Begin(Call{Caller: "kubelet", Callee: "crio", What: "StopContainer", Of: "db"})
			s.At(time.Second, "second call", func() {
				cs.Begin(Call{Caller: "crictl", Callee: "crio", What: "StopContainer", Of: "db", At: time.Second})
			})
			s.At(2*time.Second, "stop done", func() { cs.End(first) })
		}, "1 call(s) never returned: crictl waits on crio for StopContainer db since 1s"},
		{"callee gone", func(s *Scheduler, cs *Calls) {
			cs.Begin(Call{Caller: "kubelet", Callee: "crio", What: "StopContainer", Of: "db"})
			s.At(time.Second, "crio exits", func() { cs.EndAll("crio") })
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewScheduler(Fixed{})
			var cs Calls
			tt.run(s, &cs)
			r := &Runner{Sched: s, Trace: &Trace{}, Calls: &cs, Horizon: time.Minute}
			vs := r.Run()
			switch {
			case tt.want == "" && len(vs) > 0:
				t.Fatalf("violations %v, want none", vs)
			case tt.want != "" && (len(vs) != 1 || vs[0].Invariant != HangInvariant.Name || !strings.Contains(vs[0].Message, tt.want)):
				t.Fatalf("violations %v, want a hang: %s", vs, tt.want)
			case tt.want != "" && vs[0].At != 2*time.Second:
				t.Fatalf("hang reported at %s, want when the run ended (2s)", FormatDuration(vs[0].At))
			}
		})
	}
}
