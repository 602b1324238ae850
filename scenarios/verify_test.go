package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/models/signals"
)

// TestWriteFindingReadsBackAndReplays: a finding is reported only when its
// file parses back to it and replays to its expect; a file that does not
// parse (a signals case without containers, which no file may hold) or
// does not reproduce its outcome is an error of faultsim and is kept as
// <name>.unreplayable.yaml, never under the finding's name.
func TestWriteFindingReadsBackAndReplays(t *testing.T) {
	good, err := ParseFile("corpus/incident-1-crio-1.33.0-crash-loop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wrong := *good
	wrong.Variant = "reference" // the reference does not crash-loop
	sig, err := ParseFile("corpus/regression-signals-repeated-and-late-stops.yaml")
	if err != nil {
		t.Fatal(err)
	}
	empty := *sig
	c := *sig.Case.(*signals.Case)
	c.Containers, c.Steps, c.Faults = nil, nil, nil
	empty.Case = &c
	for _, tc := range []struct {
		name string
		s    *Scenario
		want string // part of the error ("" for none)
	}{
		{"replays", good, ""},
		{"does not reproduce", &wrong, "replays to pass, not its expect violation crash-loop"},
		{"does not parse back", &empty, "does not parse back: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "finding.yaml")
			for _, p := range []string{path, ""} {
				err := WriteFinding(p, tc.s)
				if tc.want == "" {
					if err != nil {
						t.Fatalf("WriteFinding(%q) = %v", p, err)
					}
					continue
				}
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "internal error") {
					t.Fatalf("WriteFinding(%q) = %v, want an internal error containing %q", p, err, tc.want)
				}
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			want := "finding.yaml"
			if tc.want != "" {
				want = "finding" + UnreplayableSuffix
			}
			if len(names) != 1 || names[0] != want {
				t.Fatalf("directory holds %v, want [%s]", names, want)
			}
		})
	}
}
