package netfilter

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim"
)

// MinNFTVersion is the oldest nft that knftables accepts.
var MinNFTVersion = sim.MustVersion("1.0.1")

// KnftFamily maps an IP family to its nftables family.
func KnftFamily(f Family) knftables.Family {
	if f == IPv6 {
		return knftables.IPv6Family
	}
	return knftables.IPv4Family
}

// NFTables returns a knftables.Interface for a table of the node's nftables
// state, as knftables.New would on a real node: it fails when nft is not on
// the PATH or is older than 1.0.1. Every Run goes through the nft tool, so a
// tool-fails fault on nft makes the transaction fail (atomically, as nft -f).
func (h *Tables) NFTables(f Family, table string) (knftables.Interface, error) {
	t, err := h.node.LookPath("nft")
	if err != nil {
		return nil, fmt.Errorf("could not run nftables command: %w", err)
	}
	if !t.Version.AtLeast(MinNFTVersion) {
		return nil, fmt.Errorf("nft version %s is too old: need %s or later", t.Version, MinNFTVersion)
	}
	return &nftTool{host: h, fake: h.nftTable(f, table)}, nil
}

// NFTState returns the in-memory state of a node's nftables table, for
// observers (invariants) that read what the kernel holds, or nil when nothing
// ever touched that table. It never creates one.
func (h *Tables) NFTState(f Family, table string) *knftables.Fake { return h.nft[string(f)+"/"+table] }

func (h *Tables) nftTable(f Family, table string) *knftables.Fake {
	fk, ok := h.nft[string(f)+"/"+table]
	if !ok {
		fk = knftables.NewFake(KnftFamily(f), table)
		h.nft[string(f)+"/"+table] = fk
	}
	return fk
}

func (h *Tables) nftDump() string {
	keys := make([]string, 0, len(h.nft))
	for k := range h.nft {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		if d := h.nft[k].Dump(); d != "" {
			b.WriteString(d)
		}
	}
	return b.String()
}

// nftTool is the nft command line over the node's nftables state.
type nftTool struct {
	host *Tables
	fake *knftables.Fake
}

func (n *nftTool) NewTransaction() *knftables.Transaction { return n.fake.NewTransaction() }

func (n *nftTool) Run(ctx context.Context, tx *knftables.Transaction) error {
	if err := n.host.node.Exec("nft", "-f", "-"); err != nil {
		return err
	}
	n.host.nftRuns++
	return n.fake.Run(ctx, tx)
}

func (n *nftTool) Check(ctx context.Context, tx *knftables.Transaction) error {
	if _, err := n.host.node.LookPath("nft"); err != nil {
		return err
	}
	return n.fake.Check(ctx, tx)
}

func (n *nftTool) ListAll(ctx context.Context) (map[string][]string, error) {
	return n.fake.ListAll(ctx)
}

func (n *nftTool) List(ctx context.Context, objectType string) ([]string, error) {
	return n.fake.List(ctx, objectType)
}

func (n *nftTool) ListRules(ctx context.Context, chain string) ([]*knftables.Rule, error) {
	return n.fake.ListRules(ctx, chain)
}

func (n *nftTool) ListElements(ctx context.Context, objectType, name string) ([]*knftables.Element, error) {
	return n.fake.ListElements(ctx, objectType, name)
}

func (n *nftTool) ListCounters(ctx context.Context) ([]*knftables.Counter, error) {
	return n.fake.ListCounters(ctx)
}
