package hostport

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/faultsim/faultsim/internal/memo"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// PortMapping is the CRI port mapping a runtime receives in RunPodSandbox.
type PortMapping = runtimeapi.PortMapping

// MaxPort is the highest valid host port.
const MaxPort = 65535

// Forward is one forwarding the node performs: traffic to HostIP:HostPort
// (any local address when HostIP is "") over Proto goes to PodIP:PodPort.
// Owner is the hash of the sandbox that installed it.
type Forward struct {
	Family   netfilter.Family
	Proto    string
	HostIP   string
	HostPort int32
	PodIP    string
	PodPort  int32
	Owner    string
}

// String renders the forward as "ipv4 tcp *:8080 -> 10.88.0.2:80 (owner)".
func (f Forward) String() string {
	host := f.HostIP
	if host == "" {
		host = "*"
	}
	return fmt.Sprintf("%s %s %s:%d -> %s:%d (%s)", f.Family, f.Proto, host, f.HostPort, f.PodIP, f.PodPort, f.Owner)
}

// overlaps reports whether two forwards claim the same host endpoint.
func (f Forward) overlaps(o Forward) bool {
	return f.Family == o.Family && f.Proto == o.Proto && f.HostPort == o.HostPort &&
		(f.HostIP == "" || o.HostIP == "" || f.HostIP == o.HostIP)
}

// sameTarget reports whether two forwards send to the same place.
func (f Forward) sameTarget(o Forward) bool { return f.PodIP == o.PodIP && f.PodPort == o.PodPort }

// SandboxHash is the tag every rule of a sandbox carries, so that Remove
// finds them without the mappings or the pod IP.
func SandboxHash(id string) string { return sandboxHashes.Get(id, sandboxHash) }

func sandboxHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hexTag("", sum[:8], false)
}

// sandboxHashes remembers SandboxHash per sandbox id: the manager, its
// backends and the oracle ask for the same few ids' tags many times a
// scenario. At most 4096 are kept, so arbitrary ids cannot grow it.
var sandboxHashes = memo.Capped[string, string]{Max: 4096}

// hexTag returns prefix followed by b in hex (upper case if upper), in one
// allocation.
func hexTag(prefix string, b []byte, upper bool) string {
	const lower, capital = "0123456789abcdef", "0123456789ABCDEF"
	digits := lower
	if upper {
		digits = capital
	}
	buf := make([]byte, 0, 64)
	buf = append(buf, prefix...)
	for _, c := range b {
		buf = append(buf, digits[c>>4], digits[c&0x0f])
	}
	return string(buf)
}

// ProtoName returns the netfilter name of a CRI protocol.
func ProtoName(p runtimeapi.Protocol) string {
	switch p {
	case runtimeapi.Protocol_UDP:
		return "udp"
	case runtimeapi.Protocol_SCTP:
		return "sctp"
	}
	return "tcp"
}

// FamilyOf returns the IP family of an address.
func FamilyOf(ip string) (netfilter.Family, error) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "", fmt.Errorf("%q is not an IP address", ip)
	}
	if a.Is4() {
		return netfilter.IPv4, nil
	}
	return netfilter.IPv6, nil
}

// familySet is a set of IP families.
type familySet struct{ ipv4, ipv6 bool }

func (s *familySet) add(f netfilter.Family) {
	switch f {
	case netfilter.IPv4:
		s.ipv4 = true
	case netfilter.IPv6:
		s.ipv6 = true
	}
}

func (s familySet) has(f netfilter.Family) bool {
	return (f == netfilter.IPv4 && s.ipv4) || (f == netfilter.IPv6 && s.ipv6)
}

// normHostIP returns "" for the wildcard addresses ("", 0.0.0.0, ::), the
// address otherwise, and whether the address applies to family f.
func normHostIP(hostIP string, f netfilter.Family) (string, bool) {
	switch hostIP {
	case "", "0.0.0.0", "::":
		return "", true
	}
	fam, err := FamilyOf(hostIP)
	if err != nil || fam != f {
		return "", false
	}
	return hostIP, true
}

// forwardsFor returns the forwards a sandbox's mappings ask for on a pod
// address: mappings whose host IP is of the other family are dropped, and so
// are those with host port <= 0 unless keepNonPositive. Identical entries are
// merged.
func forwardsFor(id, podIP string, ms []*PortMapping, keepNonPositive bool) ([]Forward, error) {
	return appendForwards(make([]Forward, 0, len(ms)), id, podIP, ms, keepNonPositive)
}

// appendForwards appends forwardsFor's forwards to out, merging identical
// entries among those it appends.
func appendForwards(out []Forward, id, podIP string, ms []*PortMapping, keepNonPositive bool) ([]Forward, error) {
	fam, err := FamilyOf(podIP)
	if err != nil {
		return out, err
	}
	start, owner := len(out), ""
	for _, m := range ms {
		if m.HostPort <= 0 && !keepNonPositive {
			continue
		}
		hostIP, ok := normHostIP(m.HostIp, fam)
		if !ok {
			continue
		}
		if owner == "" {
			owner = SandboxHash(id)
		}
		f := Forward{fam, ProtoName(m.Protocol), hostIP, m.HostPort, podIP, m.ContainerPort, owner}
		if !slices.Contains(out[start:], f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// validate rejects host ports above 65535.
func validate(ms []*PortMapping) error {
	for _, m := range ms {
		if m.HostPort > MaxPort {
			return portRangeError(m.HostPort)
		}
	}
	return nil
}

// portRangeError is a host port above 65535, formatted only when read (the
// oracle asks whether a request is invalid far more often than anyone
// prints why).
type portRangeError int32

func (e portRangeError) Error() string {
	return fmt.Sprintf("invalid port mapping: host port %d is out of range: expected 1-%d (or <= 0 for none)", int32(e), MaxPort)
}

// conflicts returns an error when a forward of want overlaps one of have
// that belongs to another sandbox or sends elsewhere, or two of want do.
func conflicts(want, have []Forward) error {
	for i, f := range want {
		for _, o := range have {
			if f.overlaps(o) && (f.Owner != o.Owner || !f.sameTarget(o)) {
				return &conflictError{f: f, o: o}
			}
		}
		for _, o := range want[:i] {
			if f.overlaps(o) && !f.sameTarget(o) {
				return &conflictError{f: f, o: o, same: true}
			}
		}
	}
	return nil
}

// conflictError is a host port conflict, formatted only when read (the
// oracle asks whether there is one far more often than anyone prints it).
type conflictError struct {
	f, o Forward
	same bool // both in the requesting sandbox
}

func (e *conflictError) Error() string {
	if e.same {
		return fmt.Sprintf("host port conflict: %s and %s in the same sandbox", e.f, e.o)
	}
	return fmt.Sprintf("host port conflict: %s is already used by %s", e.f, e.o)
}

// FormatMapping renders a mapping compactly for traces.
func FormatMapping(m *PortMapping) string {
	host := m.HostIp
	if host == "" {
		host = "*"
	}
	return fmt.Sprintf("%s %s:%d->%d", strings.ToUpper(ProtoName(m.Protocol)), host, m.HostPort, m.ContainerPort)
}
