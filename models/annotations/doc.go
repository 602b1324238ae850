// Package annotations models the annotation store of a Kata Containers
// shim (containerd-shim-kata-v2): the OCI runtime-spec annotations of every
// container of a sandbox, decoded with encoding/json from the bundle's
// config.json exactly as the shim receives it, merged with the runtime's
// own (bundle path, container type) and, in guest-kernel VFIO mode, the CDI
// annotations that tell the guest which GPU a /dev/vfio/<group> is
// (cdi.k8s.io/vfio<group> = nvidia.com/gpu=<index>): the sandbox's VFIO
// devices are registered per PCIe port when cold- or hot-plugged, the NVIDIA
// GPUs among them are sorted by bus and numbered, and every container
// device that is a GPU's host path gets its index. Containers are looked up
// and removed on delete.
//
// Requests come CRI-style (containerd's CRI plugin always writes
// annotations: container type, sandbox id, names) and ctr-run-style (no
// annotations member at all, so the map decodes to nil).
//
// Variants: "reference" (Kata 3.9.0: the map is made before the CDI write,
// kata-containers/kata-containers#10276) and "kata-3.8.0" (incident 4,
// kata-containers/kata-containers#10266: the CDI write goes into the
// decoded spec's nil map and Go panics with "assignment to entry in nil
// map").
//
// The invariants are stated as the runtime's contract, never as the bug:
// the shim never crashes; every input annotation is kept unless the runtime
// documents overriding it; every container device that is a registered
// GPU's host path gets its CDI annotation; the spec written out re-decodes
// to the same annotations; a valid request is accepted, and a refused one
// changes nothing; a delete leaves nothing of what it deleted, and once the
// run has settled no shim holds anything containerd deleted (converged);
// every call to a shim returns (hang). In race mode (Case.RunConcurrent)
// each sandbox's handlers run as real goroutines: the shim must hold its
// service lock as Kata's does.
//
// Plugging in a shim (Register, Builder, Shim): a Builder is given the
// node's PCI functions (Node), the shim's configuration (Config: cold or hot
// plug, guest-kernel VFIO mode) and a log function, and returns the shim
// of one sandbox. Create(id, config) receives the bundle's config.json
// bytes as containerd hands them over and must keep every annotation,
// add the CDI annotation of every container device that is a registered
// GPU, and refuse without changing anything a request it cannot serve;
// Delete(id) removes a container (or, with the sandbox's id, the sandbox).
// The invariants observe the shim only through Annotations, Spec (the spec
// it would hand the agent, as JSON, which must re-decode to the same
// annotations) and Registered (the functions registered per PCIe port).
package annotations
