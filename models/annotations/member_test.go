package annotations

import (
	"fmt"
	"strings"
	"testing"

	"github.com/faultsim/faultsim/sim"
)

// TestSkipStringMatchesByteScan: skipString ends a string where a scan
// byte by byte, a backslash escaping the next byte, ends it, for strings
// of quotes and backslashes in every arrangement up to six bytes.
func TestSkipStringMatchesByteScan(t *testing.T) {
	byteScan := func(text []byte, i int) int {
		for i++; i < len(text); i++ {
			switch text[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return -1
	}
	var texts []string
	var grow func(s string)
	grow = func(s string) {
		texts = append(texts, s)
		if len(s) < 7 {
			for _, c := range []string{`"`, `\`, `a`} {
				grow(s + c)
			}
		}
	}
	grow(`"`)
	for _, text := range texts {
		if got, want := skipString([]byte(text), 0), byteScan([]byte(text), 0); got != want {
			t.Errorf("skipString(%q) = %d, want %d", text, got, want)
		}
	}
}

// TestHasGroupIsGroupFunctions: HasGroup says a group exists exactly when
// GroupFunctions finds it, on drawn nodes and paths of every group.
func TestHasGroupIsGroupFunctions(t *testing.T) {
	bridgeOnly := Node{Functions: []PCIFunction{{Group: 15, BDF: "0000:50:00.0", Vendor: "0x8086", Class: ClassPCIBridge, PCIe: true}}}
	for seed := range uint64(300) {
		c := Generate(sim.NewPRNG(seed), "reference", GenOptions{})
		if seed == 0 {
			c.PCI = bridgeOnly // a group whose only function cannot be passed through
		}
		for _, p := range []string{"/dev/vfio/12", "/dev/vfio/13", "/dev/vfio/14", "/dev/vfio/15", "/dev/vfio/99",
			"/dev/vfio/vfio", "/dev/vfio/012", "/dev/vfio/", "12", "/dev/fuse", fmt.Sprint("/dev/vfio/", strings.Repeat("1", 3))} {
			_, err := c.PCI.GroupFunctions(p)
			if got := c.PCI.HasGroup(p); got != (err == nil) {
				t.Errorf("case %d, %s: HasGroup %v, GroupFunctions error %v", seed, p, got, err)
			}
		}
	}
}
