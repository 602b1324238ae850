package annotations

import (
	"github.com/faultsim/faultsim/models"
)

// badInputs are malformed scenario files of the model (Model.BadInputs).
func badInputs() []models.BadInput {
	const head = "name: x\nmodel: annotations\nvariant: reference\n"
	const step = "steps:\n  - {at: 0s, op: create, id: a, spec: '{}'}\n"
	bad := models.Bad
	return []models.BadInput{
		bad("unknown variant", "name: x\nmodel: annotations\nvariant: kata-2\n"+step+"expect: pass\n", `:3: variant: unknown annotations variant "kata-2"`),
		bad("hostport field", head+"options: {disable_hostport_mapping: true}\n"+step+"expect: pass\n", `:4: options: unknown field "disable_hostport_mapping"`),
		bad("bad vfio mode", head+"options: {vfio_mode: gpu}\n"+step+"expect: pass\n", `:4: options.vfio_mode: "gpu": expected one of guest-kernel, vfio`),
		bad("bad port", head+"options: {cold_plug_vfio: pcie-port}\n"+step+"expect: pass\n", `options.cold_plug_vfio: "pcie-port": expected one of no-port`),
		bad("pci not a list", head+"pci: {group: 12}\n"+step+"expect: pass\n", ":4: pci: expected a list of PCI functions"),
		bad("pci group missing", head+"pci:\n  - {bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"0x030200\"}\n"+step+"expect: pass\n", ":5: pci[0].group: missing"),
		bad("bad bdf", head+"pci:\n  - {group: 12, bdf: \"41:00.0\", vendor: \"0x10de\", class: \"0x030200\"}\n"+step+"expect: pass\n", `:5: pci[0].bdf: "41:00.0": expected a PCI address`),
		bad("bad class", head+"pci:\n  - {group: 12, bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"VGA\"}\n"+step+"expect: pass\n", `pci[0].class: "VGA": expected a class code`),
		bad("bad pcie", head+"pci:\n  - {group: 12, bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"0x030200\", pcie: maybe}\n"+step+"expect: pass\n", `pci[0].pcie: "maybe": expected true or false`),
		bad("duplicate bdf", head+"pci:\n  - {group: 12, bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"0x030200\"}\n  - {group: 13, bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"0x030200\"}\n"+step+"expect: pass\n", ":6: pci[1].bdf: 0000:41:00.0 is listed twice"),
		bad("missing steps", head+"expect: pass\n", "steps: missing"),
		bad("unknown op", head+"steps:\n  - {op: start, id: a}\nexpect: pass\n", `:5: steps[0].op: unknown operation "start": expected create or delete`),
		bad("create without spec", head+"steps:\n  - {op: create, id: a}\nexpect: pass\n", ":5: steps[0].spec: missing"),
		bad("spec as a mapping", head+"steps:\n  - op: create\n    id: a\n    spec: {ociVersion: 1.1.0}\nexpect: pass\n", ":7: steps[0].spec: expected the config.json text as a string"),
		bad("delete with spec", head+"steps:\n  - {op: delete, id: a, spec: '{}'}\nexpect: pass\n", ":5: steps[0]: delete takes only at and id"),
		bad("missing id", head+"steps:\n  - {op: delete}\nexpect: pass\n", "id: missing"),
		bad("unknown fault label", head+"steps:\n  - {op: create, id: a, spec: '{}', faults: [nil-pointer]}\nexpect: pass\n", `steps[0].faults: "nil-pointer": expected the name of a data fault`),
		bad("node fault as a label", head+"steps:\n  - {op: create, id: a, spec: '{}', faults: [tool-missing]}\nexpect: pass\n", `"tool-missing": expected the name of a data fault`),
		bad("another model's data fault as a label", head+"steps:\n  - {op: create, id: a, spec: '{}', faults: [host-port-zero]}\nexpect: pass\n", `"host-port-zero": expected the name of a data fault this model consumes`),
		bad("node fault in the faults section", head+"faults:\n  - {fault: kernel-version, version: \"5.10\"}\nsteps:\n  - {op: create, id: a, spec: '{}'}\nexpect: pass\n", `faults[0].fault: kernel-version is not consumed by any component of this model: expected no fault`),
		bad("steps out of order", head+"steps:\n  - {at: 2s, op: delete, id: a}\n  - {at: 1s, op: delete, id: a}\nexpect: pass\n", "before the previous step"),
		bad("unknown invariant", head+step+"expect: {violation: forwarding-matches-live-mappings}\n", `expect.violation: "forwarding-matches-live-mappings": expected one of accepts-valid-requests`),
		bad("bare pci", head+"pci:\n"+step+"expect: pass\n", ":4: pci: expected a list of PCI functions"),
	}
}
