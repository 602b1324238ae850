package modelkit_test

import (
	"testing"

	"github.com/faultsim/faultsim/faults"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/models/signals"
)

// scripted draws the given strings in turn.
type scripted struct{ next []string }

func (s *scripted) String(string) string { v := s.next[0]; s.next = s.next[1:]; return v }
func (s *scripted) Bool(string) bool     { return true }

// TestRenamer: one old name gets one new name wherever it appears, and a
// drawn name another old name has taken already is not reused.
func TestRenamer(t *testing.T) {
	r := modelkit.NewRenamer(&scripted{next: []string{"- x", "- x", "#y"}}, "container")
	tests := []struct{ old, want string }{
		{"db", "- x"}, {"db", "- x"}, {"web", "web"}, {"cache", "#y"}, {"web", "web"},
	}
	for _, tt := range tests {
		if got := r.Get(tt.old); got != tt.want {
			t.Errorf("Get(%q) = %q, want %q", tt.old, got, tt.want)
		}
	}
	fs, err := modelkit.RenameFaults([]faults.Fault{signals.IgnoresStopSignal{Container: "db"}, signals.IgnoresStopSignal{Container: "api"}}, "container", modelkit.NewRenamer(&scripted{next: []string{": y", "?"}}, "container"))
	if err != nil {
		t.Fatal(err)
	}
	if got := faults.Format(fs[0]) + " " + faults.Format(fs[1]); got != `ignores-stop-signal(container=: y) ignores-stop-signal(container=?)` {
		t.Errorf("renamed faults %s", got)
	}
}
