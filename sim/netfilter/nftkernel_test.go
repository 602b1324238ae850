package netfilter

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// commentedTable is a transaction making a table, a chain, a map and an
// element, each with a comment.
func commentedTable(tx *knftables.Transaction) {
	tx.Add(&knftables.Table{Comment: knftables.PtrTo("made by a test")})
	tx.Add(&knftables.Chain{Name: "c", Comment: knftables.PtrTo("a chain")})
	tx.Add(&knftables.Map{Name: "m", Type: "inet_service : inet_service", Comment: knftables.PtrTo("a map")})
	tx.Add(&knftables.Element{Map: "m", Key: []string{"80"}, Value: []string{"8080"}, Comment: knftables.PtrTo("owner")})
}

// TestKernelGatesNFTObjectComments: a kernel before 5.10 makes tables and
// chains without their comments and says nothing; map and element comments
// stay, on every kernel the node knows.
func TestKernelGatesNFTObjectComments(t *testing.T) {
	for _, tt := range []struct {
		kernel string
		kept   bool
	}{{"4.19", false}, {"5.4", false}, {"5.10", true}, {"6.6", true}} {
		t.Run(tt.kernel, func(t *testing.T) {
			n := node.New("x", sim.MustVersion(tt.kernel))
			n.Install("nft", sim.MustVersion("1.0.6"))
			var lacked []string
			n.OnLack = func(tool string, f node.Feature, what string) { lacked = append(lacked, tool+": "+f.Name+": "+what) }
			h := New(n)
			nft, err := h.NFTables(IPv4, "t", knftables.NoObjectCommentEmulation)
			if err != nil {
				t.Fatalf("NFTables: %v (the comment probe passes on every kernel)", err)
			}
			tx := nft.NewTransaction()
			commentedTable(tx)
			if err := nft.Run(t.Context(), tx); err != nil {
				t.Fatal(err)
			}
			fk := h.NFTState(IPv4, "t")
			if got := fk.Table.Comment != nil; got != tt.kept {
				t.Errorf("table comment kept = %v, want %v", got, tt.kept)
			}
			if got := fk.Table.Chains["c"].Comment != nil; got != tt.kept {
				t.Errorf("chain comment kept = %v, want %v", got, tt.kept)
			}
			if m := fk.Table.Maps["m"]; m.Comment == nil || m.Elements[0].Comment == nil {
				t.Error("map or element comment dropped; sets, maps and elements kept user data before 4.19")
			}
			want := 0
			if !tt.kept {
				want = 1
			}
			if len(lacked) != want {
				t.Fatalf("OnLack told %q, want %d report", lacked, want)
			}
			if want == 1 && lacked[0] != "nft: nft-object-comments: kept table ip t, chain c without comment" {
				t.Errorf("OnLack told %q", lacked[0])
			}
		})
	}
}

// TestLaterTransactionsDropNewComments: on a kernel without object
// comments, a later transaction's new chain loses its comment too, and one
// that makes nothing with a comment reports nothing.
func TestLaterTransactionsDropNewComments(t *testing.T) {
	n := node.New("x", sim.MustVersion("5.4"))
	n.Install("nft", sim.MustVersion("1.0.6"))
	var lacked []string
	n.OnLack = func(_ string, _ node.Feature, what string) { lacked = append(lacked, what) }
	h := New(n)
	nft, err := h.NFTables(IPv4, "t")
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range []struct {
		add  func(*knftables.Transaction)
		told string // "": nothing
	}{
		{commentedTable, "kept table ip t, chain c without comment"},
		{func(tx *knftables.Transaction) {
			tx.Add(&knftables.Table{Comment: knftables.PtrTo("made by a test")})
			tx.Add(&knftables.Chain{Name: "d", Comment: knftables.PtrTo("another chain")})
		}, "kept chain d without comment"},
		{func(tx *knftables.Transaction) {
			tx.Add(&knftables.Table{})
			tx.Add(&knftables.Chain{Name: "e"})
		}, ""},
	} {
		lacked = nil
		tx := nft.NewTransaction()
		tt.add(tx)
		if err := nft.Run(t.Context(), tx); err != nil {
			t.Fatal(err)
		}
		if want := []string{tt.told}; (tt.told == "" && len(lacked) > 0) || (tt.told != "" && !slices.Equal(lacked, want)) {
			t.Errorf("transaction %d: OnLack told %q, want %q", i, lacked, tt.told)
		}
		fk := h.NFTState(IPv4, "t")
		for name, c := range fk.Table.Chains {
			if c.Comment != nil {
				t.Errorf("transaction %d: chain %s kept its comment", i, name)
			}
		}
	}
}

// TestKernelGatesNFTDestroy: a destroy command needs nft 1.0.8 and kernel
// 6.3; without them the transaction fails as nft does, RequireDestroy
// refuses the interface, and EmulateDestroy makes it work anyway.
func TestKernelGatesNFTDestroy(t *testing.T) {
	for _, tt := range []struct {
		kernel, nft string
		options     []knftables.Option
		newErr      string // substring of NFTables' error
		runErr      string // substring of the destroy transaction's error
		kernelLacks bool   // the error wraps a *node.LacksError
	}{
		{kernel: "6.6", nft: "1.0.9"},
		{kernel: "6.6", nft: "1.0.9", options: []knftables.Option{knftables.RequireDestroy}},
		{kernel: "6.1", nft: "1.0.9", runErr: "Error: Could not process rule: Invalid argument (kernel 6.1 lacks nft-destroy (Linux 6.3))", kernelLacks: true},
		{kernel: "6.6", nft: "1.0.6", runErr: "Error: syntax error, unexpected element, expecting string (nft 1.0.6 has no destroy command (nft 1.0.8))"},
		{kernel: "5.10", nft: "1.0.9", options: []knftables.Option{knftables.RequireDestroy},
			newErr: "`nft destroy` is not available: Error: Could not process rule: Invalid argument (kernel 5.10 lacks nft-destroy", kernelLacks: true},
		{kernel: "5.10", nft: "1.0.9", options: []knftables.Option{knftables.EmulateDestroy}},
		{kernel: "4.19", nft: "1.0.2", options: []knftables.Option{knftables.EmulateDestroy}},
	} {
		t.Run(tt.kernel+"/nft-"+tt.nft, func(t *testing.T) {
			n := node.New("x", sim.MustVersion(tt.kernel))
			n.Install("nft", sim.MustVersion(tt.nft))
			h := New(n)
			nft, err := h.NFTables(IPv4, "t", tt.options...)
			if tt.newErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.newErr) {
					t.Fatalf("NFTables = %v, want an error with %q", err, tt.newErr)
				}
				var lacks *node.LacksError
				if errors.As(err, &lacks) != tt.kernelLacks {
					t.Errorf("errors.As(%v, *node.LacksError) = %v, want %v", err, !tt.kernelLacks, tt.kernelLacks)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tx := nft.NewTransaction()
			commentedTable(tx)
			if err := nft.Run(t.Context(), tx); err != nil {
				t.Fatal(err)
			}
			tx = nft.NewTransaction()
			tx.Destroy(&knftables.Element{Map: "m", Key: []string{"80"}})
			tx.Destroy(&knftables.Element{Map: "m", Key: []string{"81"}})
			if err := nft.Check(t.Context(), tx); (err != nil) != (tt.runErr != "") {
				t.Errorf("Check = %v, want an error: %v", err, tt.runErr != "")
			}
			err = nft.Run(t.Context(), tx)
			elems := h.NFTState(IPv4, "t").Table.Maps["m"].Elements
			if tt.runErr == "" {
				if err != nil || len(elems) != 0 {
					t.Fatalf("Run = %v leaving %d elements, want nil and none", err, len(elems))
				}
				return
			}
			if err == nil || err.Error() != tt.runErr {
				t.Fatalf("Run = %v, want %q", err, tt.runErr)
			}
			if len(elems) != 1 {
				t.Errorf("a refused transaction changed the table: %d elements", len(elems))
			}
			if n.Failures != 0 {
				t.Errorf("a refusal counted as a tool failure: %d", n.Failures)
			}
		})
	}
}

// TestDestroysReadsTheVerbs: the verbs are read from knftables'
// transaction without rendering it, and agree with its text.
func TestDestroysReadsTheVerbs(t *testing.T) {
	if opsField < 0 {
		t.Fatal("knftables.Transaction's operations were not found: destroys renders every transaction")
	}
	fk := knftables.NewFake(knftables.IPv4Family, "t")
	for _, tt := range []struct {
		name  string
		build func(tx *knftables.Transaction)
		want  string // the object type of the first destroy, "" for none
	}{
		{"none", func(tx *knftables.Transaction) {}, ""},
		{"adds and deletes", func(tx *knftables.Transaction) {
			commentedTable(tx)
			tx.Delete(&knftables.Element{Map: "m", Key: []string{"80"}})
		}, ""},
		{"a destroy last", func(tx *knftables.Transaction) {
			commentedTable(tx)
			tx.Destroy(&knftables.Chain{Name: "c"})
			tx.Destroy(&knftables.Table{})
		}, "chain"},
		{"only a destroy", func(tx *knftables.Transaction) { tx.Destroy(&knftables.Element{Map: "m", Key: []string{"80"}}) }, "element"},
	} {
		tx := fk.NewTransaction()
		tt.build(tx)
		got, ok := destroys(tx)
		text, textOK := destroysText(tx)
		if got != tt.want || ok != (tt.want != "") || text != got || textOK != ok {
			t.Errorf("%s: destroys = %q %v, from the text %q %v, want %q", tt.name, got, ok, text, textOK, tt.want)
		}
	}
}
