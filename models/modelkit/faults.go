package modelkit

import (
	"slices"

	"github.com/faultsim/faultsim/faults"
)

// FaultNames is what a Case's FaultNames (models.FaultLister) returns: the
// catalog names of its faults and of the data faults its steps name,
// sorted, once each ("" skipped).
func FaultNames(fs []faults.Fault, data ...string) []string {
	out := make([]string, 0, len(fs)+len(data))
	for _, f := range fs {
		out = append(out, f.Name())
	}
	for _, d := range data {
		if d != "" {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
