package hostname

import (
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(models.Releasing(m)) }

func TestValidHostname(t *testing.T) {
	for _, tt := range []struct {
		h    string
		want bool
	}{
		{"web", true}, {"web-a.v1", true}, {strings.Repeat("a", 63), true},
		{strings.Repeat("a", 64), false}, {"", false}, {"web-", false}, {"web.", false},
		{"-web", false}, {"web..a", false}, {"Web", false},
	} {
		if got := validHostname(tt.h); got != tt.want {
			t.Errorf("validHostname(%q) = %v, want %v", tt.h, got, tt.want)
		}
	}
}

// TestVariants runs one pod whose name has '-' at kubelet's cut: the
// reference trims it, the mutant keeps it and breaks hostname-valid.
func TestVariants(t *testing.T) {
	name := strings.Repeat("a", 62) + "-b"
	for _, tt := range []struct {
		variant string
		want    string
	}{{"reference", ""}, {"truncate-only", InvValid.Name}} {
		c := &Case{Variant: tt.variant, Steps: []Step{{Op: OpRun, Pod: name}, {At: 1, Op: OpStop, Pod: name}}}
		r, err := c.Run(sim.Fixed{}, true)
		if err != nil {
			t.Fatal(err)
		}
		if r.Violated() != tt.want {
			t.Errorf("%s: violated %q, want %q\n%s", tt.variant, r.Violated(), tt.want, r.Trace.Text())
		}
	}
}

// TestRunRefusesStopsOfUnknownPods: a stop of a pod that is not running is
// an error of the case, never a silent no-op.
func TestRunRefusesStopsOfUnknownPods(t *testing.T) {
	c := &Case{Variant: "reference", Steps: []Step{{Op: OpStop, Pod: "web"}}}
	if _, err := c.Run(sim.Fixed{}, false); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Fatalf("Run = %v, want an error naming the pod as not running", err)
	}
}
