package netfilter

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// MinNFTVersion is the oldest nft that knftables accepts.
var MinNFTVersion = sim.MustVersion("1.0.1")

// MinNFTDestroyVersion is the first nft that parses destroy commands.
var MinNFTDestroyVersion = sim.MustVersion("1.0.8")

// KnftFamily maps an IP family to its nftables family.
func KnftFamily(f Family) knftables.Family {
	if f == IPv6 {
		return knftables.IPv6Family
	}
	return knftables.IPv4Family
}

// NFTables returns a knftables.Interface for a table of the node's nftables
// state, deciding as knftables.New (v0.0.22) decides on a real node: it
// fails when nft is not on the PATH or is older than 1.0.1, and with
// RequireDestroy when the node's nft or kernel has no destroy command.
// Every Run goes through the nft tool, so a tool-fails fault on nft makes the
// transaction fail (atomically, as nft -f).
//
// The node's kernel gates what it keeps (sim/node features): a kernel
// without NFTObjectComments makes tables and chains without their comments
// (it parses nf_tables batches liberally, dropping the attribute it does not
// know), so knftables' construction probe, "nft --check" of a table with a
// comment, passes with every nft it accepts and its comment emulation never
// starts: NoObjectCommentEmulation changes nothing. A destroy command fails
// as nft fails on a node without it (a syntax error before nft 1.0.8,
// EINVAL from a kernel before 6.3), unless EmulateDestroy is given: knftables
// then sends an add and a delete, which leave what the destroy would.
// (knftables also limits which objects EmulateDestroy accepts; this node
// does not check that.) UseNetlink changes nothing: lists are read from the
// same state.
func (h *Tables) NFTables(f Family, table string, options ...knftables.Option) (knftables.Interface, error) {
	if FamilyIndex(f) < 0 {
		return nil, fmt.Errorf("netfilter: nftables of IP family %q: want %s or %s", f, IPv4, IPv6)
	}
	t, err := h.node.LookPath("nft")
	if err != nil {
		return nil, nftMissing{err}
	}
	if !t.Version.AtLeast(MinNFTVersion) {
		return nil, nftTooOld{t.Version}
	}
	n := &nftTool{host: h, family: f, fake: h.nftTable(f, table), version: t.Version, objectComments: h.node.Has(node.NFTObjectComments)}
	// knftables probes with "nft --check destroy table"; its error is
	// made only for RequireDestroy, which reports it.
	works := destroyWorks(h.node, t.Version)
	if !works && slices.Contains(options, knftables.RequireDestroy) {
		return nil, fmt.Errorf("`nft destroy` is not available: %w", destroyRefusal(h.node, t.Version, "table"))
	}
	n.destroy = works || slices.Contains(options, knftables.EmulateDestroy)
	return n, nil
}

// nftMissing is NFTables' error on a node without nft, and nftTooOld on one
// whose nft is older than MinNFTVersion, as knftables words them; both are
// formatted only when read (a daemon start asks for every family).
type (
	nftMissing struct{ err error }
	nftTooOld  struct{ have sim.Version }
)

func (e nftMissing) Error() string { return "could not run nftables command: " + e.err.Error() }
func (e nftMissing) Unwrap() error { return e.err }
func (e nftTooOld) Error() string {
	return fmt.Sprintf("nft version %s is too old: need %s or later", e.have, MinNFTVersion)
}

// NFTState returns the in-memory state of a node's nftables table, for
// observers (invariants) that read what the kernel holds, or nil when nothing
// ever touched that table. It never creates one.
func (h *Tables) NFTState(f Family, table string) *knftables.Fake {
	h.node.Lock()
	defer h.node.Unlock()
	return h.nft[string(f)+"/"+table]
}

func (h *Tables) nftTable(f Family, table string) *knftables.Fake {
	key := string(f) + "/" + table
	h.node.Lock()
	defer h.node.Unlock()
	fk, ok := h.nft[key]
	if !ok {
		fk = knftables.NewFake(KnftFamily(f), table)
		h.nft[key] = fk
	}
	return fk
}

func (h *Tables) nftDump() string {
	h.node.Lock()
	defer h.node.Unlock()
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

// nftTool is the nft command line over the node's nftables state. What
// the node's nft and kernel lack is decided once, when it is made.
type nftTool struct {
	host    *Tables
	family  Family
	fake    *knftables.Fake
	version sim.Version
	// objectComments: the kernel keeps table and chain comments.
	objectComments bool
	// destroy: a destroy command works (or knftables emulates it).
	destroy bool
}

func (n *nftTool) NewTransaction() *knftables.Transaction { return n.fake.NewTransaction() }

// refusal is nft's error for tx on this node, or nil.
func (n *nftTool) refusal(tx *knftables.Transaction) error {
	if n.destroy {
		return nil
	}
	if obj, ok := destroys(tx); ok {
		return destroyRefusal(n.host.node, n.version, obj)
	}
	return nil
}

func (n *nftTool) Run(ctx context.Context, tx *knftables.Transaction) error {
	if err := n.host.node.ExecChecked(n.refusal(tx), "nft", "-f", "-"); err != nil {
		return err
	}
	// The kernel commits the batch atomically: nothing reads it half done.
	n.host.node.Lock()
	defer n.host.node.Unlock()
	n.host.nftRuns++
	n.host.nftFamilyRuns[FamilyIndex(n.family)]++
	if err := n.fake.Run(ctx, tx); err != nil {
		return err
	}
	if !n.objectComments {
		n.dropObjectComments()
	}
	return nil
}

func (n *nftTool) Check(ctx context.Context, tx *knftables.Transaction) error {
	if _, err := n.host.node.LookPath("nft"); err != nil {
		return err
	}
	if err := n.refusal(tx); err != nil {
		return err
	}
	n.host.node.Lock()
	defer n.host.node.Unlock()
	return n.fake.Check(ctx, tx)
}

// The lists read the kernel's state under the node's lock (concurrent
// mode): never a batch half committed.

func (n *nftTool) ListAll(ctx context.Context) (map[string][]string, error) {
	n.host.node.Lock()
	defer n.host.node.Unlock()
	return n.fake.ListAll(ctx)
}

func (n *nftTool) List(ctx context.Context, objectType string) ([]string, error) {
	n.host.node.Lock()
	defer n.host.node.Unlock()
	return n.fake.List(ctx, objectType)
}

func (n *nftTool) ListRules(ctx context.Context, chain string) ([]*knftables.Rule, error) {
	n.host.node.Lock()
	defer n.host.node.Unlock()
	return n.fake.ListRules(ctx, chain)
}

func (n *nftTool) ListElements(ctx context.Context, objectType, name string) ([]*knftables.Element, error) {
	n.host.node.Lock()
	defer n.host.node.Unlock()
	return n.fake.ListElements(ctx, objectType, name)
}

func (n *nftTool) ListCounters(ctx context.Context) ([]*knftables.Counter, error) {
	n.host.node.Lock()
	defer n.host.node.Unlock()
	return n.fake.ListCounters(ctx)
}
