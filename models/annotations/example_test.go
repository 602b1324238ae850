package annotations

import (
	"fmt"

	"github.com/faultsim/faultsim/sim"
)

// A case's requests served at once, as containerd drives the shim: the
// reference holds its service lock, so nothing races. (Race mode runs this
// in a child process, where a fatal concurrent map access is recorded.)
func ExampleCase_RunConcurrent() {
	c := &Case{Variant: "reference", PCI: Node{Functions: GPUGroup(12, 0)}, Config: DefaultConfig(), Steps: []Step{
		create(0, "pod1", criSandbox("pod1")),
		create(0, "c1", criContainer("c1", "pod1")),
		create(0, "c2", criContainer("c2", "pod1")),
	}}
	fmt.Println(c.RunConcurrent(sim.NewPRNG(1)))
	// Output: <nil>
}
