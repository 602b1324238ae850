package annotations

import "github.com/faultsim/faultsim/models/schema"

// scenarioFields documents the annotations model's keys; the codec reads each
// mapping's keys from it.
var scenarioFields = schema.Reference{
	Fields: []schema.Field{
		{Path: "node", Takes: "the node section", Doc: "see the node keys"},
		{Path: "pci", Takes: "list", Doc: "the node's PCI functions bound to VFIO (default: two NVIDIA GPUs, IOMMU groups 12 and 13)"},
		{Path: "pci[].group", Takes: "0-65535", Doc: "the function's IOMMU group, /dev/vfio/<group> (required)"},
		{Path: "pci[].bdf", Takes: "a PCI address such as 0000:41:00.0 (lower-case hex)", Doc: "the function's address (required, unique)"},
		{Path: "pci[].vendor", Takes: "a vendor ID such as 0x10de", Doc: "the vendor (required)"},
		{Path: "pci[].class", Takes: "a class code such as 0x030200", Doc: "the class (required)"},
		{Path: "pci[].pcie", Takes: "true or false", Doc: "whether the function is PCI Express (default true)"},
		{Path: "pci[].fault", Takes: "a data fault this model consumes", Doc: "labels the data fault that shaped the function"},
		{Path: "faults", Takes: "list", Doc: "see the faults keys (no component of this model takes one: its faults are data faults, labels on steps and PCI functions)"},
		{Path: "options", Takes: "mapping", Doc: "the shim's configuration (optional)"},
		{Path: "options.vfio_mode", Takes: "guest-kernel or vfio", Doc: "Kata's vfio_mode (default guest-kernel)"},
		{Path: "options.cold_plug_vfio", Takes: "no-port, root-port, switch-port or bridge-port", Doc: "Kata's cold_plug_vfio (default root-port)"},
		{Path: "options.hot_plug_vfio", Takes: "no-port, root-port, switch-port or bridge-port", Doc: "Kata's hot_plug_vfio (default no-port)"},
		{Path: "steps", Takes: "list ([] for none)", Doc: "the container calls, in time order (required)"},
		{Path: "steps[].at", Takes: "duration", Doc: "when the call is made (default 0s; never before the previous step)"},
		{Path: "steps[].op", Takes: "an operation (see the operations)", Doc: "the call (required)"},
		{Path: "steps[].id", Takes: "string", Doc: "the container's ID (required)"},
		{Path: "steps[].spec", Takes: "text (a literal block or a quoted string)", Doc: "the container's config.json, as the shim reads it (create only, required there)"},
		{Path: "steps[].faults", Takes: "list of data faults this model consumes", Doc: "labels the data faults that shaped the spec"},
	},
	Ops: []schema.Op{
		{Name: OpCreate, Fields: []string{"id", "spec", "faults"}, Doc: "the shim creates the container from its config.json"},
		{Name: OpDelete, Fields: []string{"id"}, Doc: "the shim deletes the container"},
	},
}
