package hostname

import (
	"fmt"
	"strings"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// MaxHostname is the longest host name kubelet sets (the kernel's
// HOST_NAME_MAX is 64 bytes with the terminating NUL).
const MaxHostname = 63

// Truncate is how a variant makes a host name from the name asked for.
type Truncate func(name string) (string, error)

// Variants are the built-in implementations.
var Variants = []struct {
	models.Variant
	Truncate Truncate
}{
	{models.Variant{Name: "reference", Summary: "kubelet: cut at 63 characters, then trim the '-' and '.' the cut leaves at the end"}, truncateTrim},
	{models.Variant{Name: "truncate-only", Summary: "an example mutant: cut at 63 characters and keep what is left, '-' or '.' at the end included", Buggy: true}, truncateOnly},
}

func truncateTrim(name string) (string, error) {
	if len(name) <= MaxHostname {
		return name, nil
	}
	cut := strings.TrimRight(name[:MaxHostname], "-.")
	if cut == "" {
		return "", fmt.Errorf("hostname for pod was invalid: %q", name)
	}
	return cut, nil
}

func truncateOnly(name string) (string, error) { return name[:min(len(name), MaxHostname)], nil }

// Model describes the hostname model to faultsim's generic machinery.
var Model = &models.Model{
	Name:       "hostname",
	Summary:    "example model: the pod host name kubelet computes and the runtime sets (one directory, one import)",
	Invariants: []sim.Invariant{sim.CrashInvariant, InvValid, sim.RunawayInvariant},
	Actors:     []string{"kubelet", "crio"},
	OwnFaults:  faultSpecs(),
	Codec:      codec{},
	Generate:   func(ch sim.Chooser, variant string) models.Case { return Generate(ch, variant) },
}

func init() {
	for _, v := range Variants {
		Model.Variants = append(Model.Variants, v.Variant)
	}
	models.Register(Model)
}
