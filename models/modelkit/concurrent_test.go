package modelkit_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultsim/faultsim/models/modelkit"
)

func TestServe(t *testing.T) {
	tests := []struct {
		name   string
		handle func() error
		want   bool
	}{
		{"returns", func() error { return nil }, true},
		{"fails", func() error { return errors.New("refused") }, true},
		{"panics", func() error { panic("nil map") }, false},
	}
	for _, tt := range tests {
		if got := modelkit.Serve(tt.handle); got != tt.want {
			t.Errorf("%s: Serve = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestRaceHandlers: every handler runs, at the same time as the others,
// again and again until the duration ends; one that panics ends alone.
func TestRaceHandlers(t *testing.T) {
	var running, overlapped, calls, panics atomic.Int64
	busy := func() error {
		if running.Add(1) > 1 {
			overlapped.Add(1)
		}
		calls.Add(1)
		time.Sleep(100 * time.Microsecond)
		running.Add(-1)
		return nil
	}
	crashing := func() error { panics.Add(1); panic("boom") }
	start := time.Now()
	modelkit.RaceHandlers(20*time.Millisecond, busy, busy, crashing)
	if took := time.Since(start); took < 20*time.Millisecond {
		t.Errorf("returned after %s, before the 20ms the handlers had", took)
	}
	if panics.Load() != 1 {
		t.Errorf("the panicking handler ran %d times, want once", panics.Load())
	}
	if calls.Load() < 4 || overlapped.Load() == 0 {
		t.Errorf("%d calls, %d overlapping: want the two handlers repeated and running at once", calls.Load(), overlapped.Load())
	}
}
