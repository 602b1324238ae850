package fidelity

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/probe"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// TestNFTKernelFeaturesMatchRealNFT: the simulated node built from this
// machine's probe (its kernel and nft) refuses or accepts what the real nft
// and kernel do: knftables.New with each destroy option, a destroy
// transaction (nft's message included), and table and chain comments kept
// or dropped.
func TestNFTKernelFeaturesMatchRealNFT(t *testing.T) {
	need(t, "nft")
	pn, err := probe.NewReader().Read()
	if err != nil {
		t.Fatal(err)
	}
	n, err := pn.Spec().Build()
	if err != nil {
		t.Fatal(err)
	}
	h := netfilter.New(n)
	nftTool, err := n.LookPath("nft")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kernel %s, nft %s", n.Kernel, nftTool.Version)
	const table = "faultsim-kernel"
	comment := knftables.PtrTo("made by faultsim")
	inNetns(t, func() error {
		ctx := context.Background()
		for _, opts := range [][]knftables.Option{nil, {knftables.RequireDestroy}, {knftables.EmulateDestroy}} {
			simNFT, simErr := h.NFTables(netfilter.IPv4, table, opts...)
			realNFT, realErr := knftables.New(knftables.IPv4Family, table, opts...)
			if (simErr == nil) != (realErr == nil) {
				return fmt.Errorf("options %v: simulated NFTables says %v, real knftables.New %v", opts, simErr, realErr)
			}
			if realErr != nil {
				continue
			}
			for _, nft := range []knftables.Interface{simNFT, realNFT} {
				tx := nft.NewTransaction()
				tx.Add(&knftables.Table{Comment: comment})
				tx.Add(&knftables.Chain{Name: "c", Comment: comment})
				tx.Add(&knftables.Map{Name: "m", Type: "inet_service : inet_service"})
				tx.Add(&knftables.Element{Map: "m", Key: []string{"80"}, Value: []string{"8080"}})
				if err := nft.Run(ctx, tx); err != nil {
					return fmt.Errorf("options %v: %w", opts, err)
				}
			}
			out, err := exec.Command("nft", "list", "table", "ip", table).Output()
			if err != nil {
				return err
			}
			realKept := strings.Count(string(out), `comment "made by faultsim"`)
			fk := h.NFTState(netfilter.IPv4, table)
			simKept := 0
			for _, c := range []*string{fk.Table.Comment, fk.Table.Chains["c"].Comment} {
				if c != nil {
					simKept++
				}
			}
			if simKept != realKept {
				return fmt.Errorf("options %v: the simulated kernel kept %d comments, the real one %d:\n%s", opts, simKept, realKept, out)
			}
			var errs [2]error
			for i, nft := range []knftables.Interface{simNFT, realNFT} {
				tx := nft.NewTransaction()
				tx.Destroy(&knftables.Element{Map: "m", Key: []string{"80"}, Value: []string{"8080"}})
				errs[i] = nft.Run(ctx, tx)
			}
			if (errs[0] == nil) != (errs[1] == nil) {
				return fmt.Errorf("options %v: destroy on the simulated node: %v, on the real one: %v", opts, errs[0], errs[1])
			}
			var nftErr *netfilter.NFTError
			if errs[0] != nil && (!errors.As(errs[0], &nftErr) || !strings.Contains(errs[1].Error(), nftErr.Output)) {
				return fmt.Errorf("options %v: the simulated nft says %q, the real one %q", opts, errs[0], errs[1])
			}
			t.Logf("options %v: %d comments kept; destroy: %v", opts, realKept, errs[1])
		}
		return nil
	})
}
