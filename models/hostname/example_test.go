package hostname_test

import (
	"fmt"

	"github.com/faultsim/faultsim/models/hostname"
	"github.com/faultsim/faultsim/sim"
)

// A pod whose 64-character name has '-' where kubelet cuts it at 63: the
// mutant keeps the '-' and the pod runs with an invalid host name.
func Example() {
	pod := "web-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-b"
	for _, variant := range []string{"reference", "truncate-only"} {
		c := &hostname.Case{Variant: variant, Steps: []hostname.Step{{Op: hostname.OpRun, Pod: pod}}}
		r, err := c.Run(sim.Fixed{}, false)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %q\n", variant, r.Violated())
	}
	// Output:
	// reference: ""
	// truncate-only: "hostname-valid"
}
