package sim

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestVersionCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0.1", "1.0.1", 0},
		{"1.0.0", "1.0.1", -1},
		{"1.1", "1.0.9", 1},
		{"6.14.0-200.fc42", "6.14", 0},
		{"5.10", "6.1", -1},
	}
	for _, tt := range tests {
		if got := MustVersion(tt.a).Compare(MustVersion(tt.b)); got != tt.want {
			t.Errorf("Compare(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	for _, bad := range []string{"", "abc", "-1"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) succeeded, want an error", bad)
		}
	}
}

func TestSchedulerOrdersByTimeAndChooserBreaksTies(t *testing.T) {
	order := func(c Chooser) string {
		s := NewScheduler(c)
		var got []string
		for _, n := range []string{"a", "b", "c"} {
			s.At(time.Second, n, func() { got = append(got, n) })
		}
		s.At(0, "first", func() { got = append(got, "first") })
		for ev := s.Next(); ev != nil; ev = s.Next() {
			ev.Do()
		}
		return strings.Join(got, ",")
	}
	if got := order(Fixed{}); got != "first,a,b,c" {
		t.Fatalf("Fixed chooser order = %s, want first,a,b,c", got)
	}
	seen := map[string]bool{}
	for seed := uint64(0); seed < 64; seed++ {
		seen[order(NewPRNG(seed))] = true
		if a, b := order(NewPRNG(seed)), order(NewPRNG(seed)); a != b {
			t.Fatalf("seed %d gave %s then %s", seed, a, b)
		}
	}
	if len(seen) < 4 {
		t.Fatalf("64 seeds produced only %d interleavings of three simultaneous events", len(seen))
	}
}

func TestProtectTurnsNilDereferenceIntoCrash(t *testing.T) {
	type node struct{ distro string }
	type backend struct{ host *node }
	var b *backend
	c := Protect(func() { _ = b.host.distro })
	if c == nil || !strings.Contains(c.Value, "nil pointer dereference") {
		t.Fatalf("crash = %v, want a nil pointer dereference", c)
	}
	if c.Site.File != "sim_test.go" || c.Site.Line == 0 {
		t.Fatalf("crash site %q does not point into the test", c.Site)
	}
	for _, frame := range c.Stack {
		if strings.HasPrefix(frame.Func, "sim.Protect") || strings.Contains(frame.Func, "testing.") || strings.HasPrefix(frame.Func, "runtime.") {
			t.Fatalf("stack is not trimmed to the crashing code: frame %q in %v", frame, c.Stack)
		}
	}
	if len(c.Stack) != 1 {
		t.Fatalf("stack = %v, want just the crashing closure", c.Stack)
	}
	if Protect(func() {}) != nil {
		t.Fatal("Protect reported a crash for a function that returned")
	}
}

func TestSupervisorStartLimit(t *testing.T) {
	var s Supervisor
	for i := 0; i < 5; i++ {
		if !s.Start(time.Duration(i) * 100 * time.Millisecond) {
			t.Fatalf("start %d refused", i)
		}
	}
	if s.Start(600 * time.Millisecond) {
		t.Fatal("sixth start within 10s allowed, want the start limit hit")
	}
	if !s.Failed() {
		t.Fatal("unit not failed after the start limit")
	}
	var slow Supervisor
	for i := 0; i < 20; i++ {
		if !slow.Start(time.Duration(i) * 3 * time.Second) {
			t.Fatalf("start %d at 3s spacing refused", i)
		}
	}
}

func TestRunnerReportsCrashAndKeepsGoing(t *testing.T) {
	s := NewScheduler(Fixed{})
	var tr Trace
	ran := 0
	s.At(time.Second, "boom", func() {
		var m map[string]int
		//lint:ignore SA5000 the nil-map write is the crash under test
		m["x"] = 1
	})
	s.At(2*time.Second, "after", func() { ran++ })
	r := &Runner{Sched: s, Trace: &tr}
	vs := r.Run()
	if len(vs) != 1 || vs[0].Invariant != "crash" || !strings.Contains(vs[0].Message, "nil map") {
		t.Fatalf("violations = %v, want one crash on a nil map", vs)
	}
	if ran != 1 {
		t.Fatal("the event after the crash did not run")
	}
	if tr.Hash() == (&Trace{}).Hash() {
		t.Fatal("trace hash of a non-empty trace equals the empty one")
	}
}
