package annotations

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Annotation keys the shim reads or writes. Sources: Kata's
// src/runtime/virtcontainers/pkg/annotations (BundlePathKey,
// ContainerTypeKey), containerd's pkg/cri/annotations (DefaultCRIAnnotations)
// and CRI-O's pkg/annotations.
const (
	// BundlePathKey and ContainerTypeKey are the runtime's own keys: Kata's
	// oci.ContainerConfig writes them into the container's annotations,
	// which are the decoded spec's map itself whenever that map exists.
	BundlePathKey    = "io.katacontainers.pkg.oci.bundle_path"
	ContainerTypeKey = "io.katacontainers.pkg.oci.container_type"

	// CRIContainerType and CRISandboxID are written by containerd's CRI plugin.
	CRIContainerType = "io.kubernetes.cri.container-type"
	CRISandboxID     = "io.kubernetes.cri.sandbox-id"
	CRISandboxName   = "io.kubernetes.cri.sandbox-name"
	CRISandboxNS     = "io.kubernetes.cri.sandbox-namespace"
	CRISandboxUID    = "io.kubernetes.cri.sandbox-uid"
	CRIContainerName = "io.kubernetes.cri.container-name"
	CRIImageName     = "io.kubernetes.cri.image-name"

	// CRIOContainerType and CRIOSandboxID are CRI-O's equivalents.
	CRIOContainerType = "io.kubernetes.cri-o.ContainerType"
	CRIOSandboxID     = "io.kubernetes.cri-o.SandboxID"

	// CRITypeSandbox and CRITypeContainer are the CRI container-type values.
	CRITypeSandbox   = "sandbox"
	CRITypeContainer = "container"

	// CDIKeyPrefix starts the key of a GPU's CDI annotation; the VFIO group
	// device's base name follows: cdi.k8s.io/vfio12.
	CDIKeyPrefix = "cdi.k8s.io/vfio"
)

// ContainerType is Kata's kind of container (virtcontainers ContainerType).
type ContainerType string

// The container types. A spec without a CRI container-type annotation is a
// single container: its own sandbox, as ctr run and podman create.
const (
	PodSandbox      ContainerType = "pod_sandbox"
	PodContainer    ContainerType = "pod_container"
	SingleContainer ContainerType = "single_container"
)

// DecodeSpec decodes a bundle's config.json as the shim does: encoding/json
// into runtime-spec's Spec. A missing or null "annotations" gives a nil map.
func DecodeSpec(raw []byte) (*specs.Spec, error) {
	var s specs.Spec
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("failed to parse config.json: %w", err)
	}
	return &s, nil
}

// TypeOf returns a spec's container type from the CRI annotations
// (containerd's key first, then CRI-O's), as Kata's oci.ContainerType: no
// key means a single container, an unknown value is an error. Reading a nil
// map is safe.
func TypeOf(s *specs.Spec) (ContainerType, error) {
	for _, key := range []string{CRIContainerType, CRIOContainerType} {
		v, ok := s.Annotations[key]
		if !ok {
			continue
		}
		switch v {
		case CRITypeSandbox:
			return PodSandbox, nil
		case CRITypeContainer:
			return PodContainer, nil
		}
		return "", fmt.Errorf("unknown container type %q in annotation %s: expected %q or %q", v, key, CRITypeSandbox, CRITypeContainer)
	}
	return SingleContainer, nil
}

// SandboxOf returns the sandbox a pod container joins (Kata's oci.SandboxID).
func SandboxOf(s *specs.Spec) (string, bool) {
	for _, key := range []string{CRISandboxID, CRIOSandboxID} {
		if v, ok := s.Annotations[key]; ok {
			return v, true
		}
	}
	return "", false
}

// DevicePaths returns the paths of the spec's linux.devices, in order.
func DevicePaths(s *specs.Spec) []string {
	if s.Linux == nil {
		return nil
	}
	out := make([]string, len(s.Linux.Devices))
	for i, d := range s.Linux.Devices {
		out[i] = d.Path
	}
	return out
}

const vfioDir = "/dev/vfio/"

// vfioControl is filepath.Join(vfioDir, "vfio"), which Kata joins on every
// call: /dev/vfio/vfio.
var vfioControl = filepath.Join(vfioDir, "vfio")

// IsVFIOControlDevice reports whether path is /dev/vfio/vfio, the VFIO
// container device (Kata's deviceManager.IsVFIOControlDevice).
func IsVFIOControlDevice(path string) bool { return path == vfioControl }

// IsVFIODevice reports whether path is a VFIO group device as Kata's
// deviceManager.IsVFIODevice decides: under /dev/vfio/, and not starting
// with /dev/vfio/vfio.
func IsVFIODevice(path string) bool {
	if strings.HasPrefix(path, vfioControl) {
		return false
	}
	return strings.HasPrefix(path, vfioDir) && len(path) > len(vfioDir)
}

// CDIKey is the CDI annotation key of a VFIO group device.
func CDIKey(devPath string) string { return CDIKeyPrefix + filepath.Base(devPath) }

// CDIValue is the CDI annotation value of the GPU with the given index.
func CDIValue(index int) string { return "nvidia.com/gpu=" + strconv.Itoa(index) }

// BundlePath is the bundle directory containerd gives the shim (runtime v2
// task directory): namespace k8s.io under the CRI plugin, default for ctr.
func BundlePath(id string, ctype ContainerType) string {
	ns := "k8s.io"
	if ctype == SingleContainer {
		ns = "default"
	}
	return "/run/containerd/io.containerd.runtime.v2.task/" + ns + "/" + id
}
