package hostname

import (
	"fmt"
	"strings"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/models/modelkit"
	"github.com/faultsim/faultsim/sim"
)

// MaxHostname is the longest host name kubelet sets (the kernel's
// HOST_NAME_MAX is 64 bytes with the terminating NUL).
const MaxHostname = 63

// Truncate is how a variant makes a host name from the name asked for.
type Truncate func(name string) (string, error)

// Variant is a named implementation: how it makes a host name.
type Variant = modelkit.Variant[Truncate]

// Variants are the implementations: the built-in ones below and those a
// test registers with Variants.Add.
var Variants = modelkit.NewVariants(
	Variant{Variant: models.Variant{Name: "reference", Summary: "kubelet: cut at 63 characters, then trim the '-' and '.' the cut leaves at the end"}, Build: truncateTrim},
	Variant{Variant: models.Variant{Name: "truncate-only", Summary: "an example mutant: cut at 63 characters and keep what is left, '-' or '.' at the end included", Buggy: true}, Build: truncateOnly},
)

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
	SwarmKinds: swarmKinds,
	BadInputs:  badInputs(),
	Hostile:    hostile,
	Codec:      codec{},
	Generate:   func(ch sim.Chooser, variant string) models.Case { return Generate(ch, variant) },
}

func init() {
	Variants.Bind(Model)
	models.Register(Model)
}

// FaultNames lists the data faults that shaped the case's steps
// (models.FaultLister).
func (c *Case) FaultNames() []string {
	data := make([]string, len(c.Steps))
	for i, s := range c.Steps {
		data[i] = s.Fault
	}
	return modelkit.FaultNames(nil, data...)
}
