package netfilter

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim"
	"github.com/faultsim/faultsim/sim/node"
)

// NFTError is what nft prints when it, or the kernel behind it, refuses a
// request: Output is nft's own message (roughly the real one), Lack what
// the node lacks.
type NFTError struct {
	Output string
	Lack   error
}

func (e *NFTError) Error() string { return e.Output + " (" + e.Lack.Error() + ")" }

// Unwrap returns what the node lacks (a *node.LacksError for the kernel).
func (e *NFTError) Unwrap() error { return e.Lack }

// destroyRefusal is nft's error for a destroy command on node n with nft at
// version v, or nil when destroy works. An nft before 1.0.8 does not know
// the word; a kernel before 6.3 answers the unknown nf_tables message type
// with EINVAL (nfnetlink finds no callback for it).
func destroyRefusal(n *node.Node, v sim.Version) error {
	if !v.AtLeast(MinNFTDestroyVersion) {
		return &NFTError{Output: "Error: syntax error, unexpected string",
			Lack: fmt.Errorf("nft %s has no destroy command (nft %s)", v, MinNFTDestroyVersion)}
	}
	if err := n.Lacks(node.NFTDestroy); err != nil {
		return &NFTError{Output: "Error: Could not process rule: Invalid argument", Lack: err}
	}
	return nil
}

// dropObjectComments removes the comments of the tables and chains a
// transaction made, as a kernel without their user data attributes never
// stored them, and tells the node's OnLack.
func (n *nftTool) dropObjectComments() {
	fk := n.fake
	fk.Lock()
	defer fk.Unlock()
	var dropped []string
	for _, fam := range sortedKeys(fk.Tables) {
		for _, name := range sortedKeys(fk.Tables[fam]) {
			t := fk.Tables[fam][name]
			if t.Comment != nil {
				t.Comment = nil
				dropped = append(dropped, "table "+string(fam)+" "+name)
			}
			for _, cn := range sortedKeys(t.Chains) {
				if c := t.Chains[cn]; c.Comment != nil {
					c.Comment = nil
					dropped = append(dropped, "chain "+cn)
				}
			}
		}
	}
	if len(dropped) > 0 {
		n.host.node.Lacked("nft", node.NFTObjectComments, "kept "+strings.Join(dropped, ", ")+" without comment")
	}
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// knftables does not export a transaction's operations; the node's nft must
// still see their verbs, as the real nft reads them from its input. opsField
// and verbField locate them in knftables.Transaction (v0.0.22); if a
// knftables upgrade moves them, hasDestroy reads the transaction's text.
var opsField, verbField = txLayout()

func txLayout() (ops, verb int) {
	tt := reflect.TypeFor[knftables.Transaction]()
	f, ok := tt.FieldByName("operations")
	if !ok || f.Type.Kind() != reflect.Slice || f.Type.Elem().Kind() != reflect.Struct {
		return -1, -1
	}
	v, ok := f.Type.Elem().FieldByName("verb")
	if !ok || v.Type.Kind() != reflect.String || len(f.Index) != 1 || len(v.Index) != 1 {
		return -1, -1
	}
	return f.Index[0], v.Index[0]
}

// hasDestroy reports whether tx holds a destroy operation.
func hasDestroy(tx *knftables.Transaction) bool {
	if opsField < 0 {
		return hasDestroyText(tx)
	}
	ops := reflect.ValueOf(tx).Elem().Field(opsField)
	for i := range ops.Len() {
		if ops.Index(i).Field(verbField).String() == "destroy" {
			return true
		}
	}
	return false
}

// hasDestroyText is hasDestroy from the text nft would read.
func hasDestroyText(tx *knftables.Transaction) bool {
	return strings.Contains("\n"+tx.String(), "\ndestroy ")
}
