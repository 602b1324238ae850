package netfilter

import (
	"fmt"
	"maps"
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

// destroyRefusal is nft's error for destroying an object of type obj
// ("table", "element", ...) on node n with nft at version v, or nil when
// destroy works. An nft before 1.0.8 reads the word as a name and stops at
// the object type; a kernel before 6.3 answers the unknown nf_tables
// message type with EINVAL (nfnetlink finds no callback for it).
func destroyRefusal(n *node.Node, v sim.Version, obj string) error {
	if destroyWorks(n, v) {
		return nil
	}
	if !v.AtLeast(MinNFTDestroyVersion) {
		return &NFTError{Output: "Error: syntax error, unexpected " + obj + ", expecting string",
			Lack: fmt.Errorf("nft %s has no destroy command (nft %s)", v, MinNFTDestroyVersion)}
	}
	return &NFTError{Output: "Error: Could not process rule: Invalid argument", Lack: n.Lacks(node.NFTDestroy)}
}

// destroyWorks reports whether destroyRefusal is nil, without making the
// error.
func destroyWorks(n *node.Node, v sim.Version) bool {
	return v.AtLeast(MinNFTDestroyVersion) && n.Has(node.NFTDestroy)
}

// dropObjectComments removes the comments of the tables and chains a
// transaction made, as a kernel without their user data attributes never
// stored them, and tells the node's OnLack.
func (n *nftTool) dropObjectComments() {
	fk := n.fake
	fk.Lock()
	defer fk.Unlock()
	if !hasObjectComments(fk) {
		return // dropped by an earlier transaction, or never given
	}
	var dropped []string
	for _, fam := range slices.Sorted(maps.Keys(fk.Tables)) {
		for _, name := range slices.Sorted(maps.Keys(fk.Tables[fam])) {
			t := fk.Tables[fam][name]
			if t.Comment != nil {
				t.Comment = nil
				dropped = append(dropped, "table "+string(fam)+" "+name)
			}
			for _, cn := range slices.Sorted(maps.Keys(t.Chains)) {
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

// hasObjectComments reports whether a table or chain of fk has a comment:
// a transaction that adds none again leaves nothing to drop.
func hasObjectComments(fk *knftables.Fake) bool {
	for _, tables := range fk.Tables {
		for _, t := range tables {
			if t.Comment != nil {
				return true
			}
			for _, c := range t.Chains {
				if c.Comment != nil {
					return true
				}
			}
		}
	}
	return false
}

// knftables does not export a transaction's operations; the node's nft must
// still see their verbs, as the real nft reads them from its input. opsField,
// verbField and objField locate them in knftables.Transaction (v0.0.22); if
// a knftables upgrade moves them, destroys reads the transaction's text.
var opsField, verbField, objField = txLayout()

func txLayout() (ops, verb, obj int) {
	f, ok := reflect.TypeFor[knftables.Transaction]().FieldByName("operations")
	if !ok || len(f.Index) != 1 || f.Type.Kind() != reflect.Slice || f.Type.Elem().Kind() != reflect.Struct {
		return -1, -1, -1
	}
	v, vok := f.Type.Elem().FieldByName("verb")
	o, ook := f.Type.Elem().FieldByName("obj")
	if !vok || !ook || v.Type.Kind() != reflect.String || o.Type != reflect.TypeFor[knftables.Object]() ||
		len(v.Index) != 1 || len(o.Index) != 1 {
		return -1, -1, -1
	}
	return f.Index[0], v.Index[0], o.Index[0]
}

// destroys returns the object type ("table", "element", ...) of tx's first
// destroy operation, and whether it has one.
func destroys(tx *knftables.Transaction) (string, bool) {
	if opsField < 0 {
		return destroysText(tx)
	}
	ops := reflect.ValueOf(tx).Elem().Field(opsField)
	for i := range ops.Len() {
		if op := ops.Index(i); op.Field(verbField).String() == "destroy" {
			obj := op.Field(objField).Elem() // *knftables.Table, ...
			return strings.ToLower(obj.Type().Elem().Name()), true
		}
	}
	return "", false
}

// destroysText is destroys from the text nft would read.
func destroysText(tx *knftables.Transaction) (string, bool) {
	_, rest, ok := strings.Cut("\n"+tx.String(), "\ndestroy ")
	if !ok {
		return "", false
	}
	obj, _, _ := strings.Cut(rest, " ")
	return obj, true
}
