package hostport

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/sim/netfilter"
)

// NFTTable is the nftables table CRI-O keeps hostports in, one per family.
const NFTTable = "crio-hostports"

// nftBackend installs hostports as elements of the hostports and
// hostipports maps, every element tagged with its sandbox's hash.
type nftBackend struct {
	nft    knftables.Interface
	family netfilter.Family
	// Mutex is held by an add and a remove, as CRI-O's nftables manager
	// holds its mu in Add and Remove.
	sync.Mutex
}

// newNFTBackend returns nil and an error when nft is missing or older than
// 1.0.1, as CRI-O's constructor does.
func newNFTBackend(h *netfilter.Tables, f netfilter.Family) (*nftBackend, error) {
	nft, err := h.NFTables(f, NFTTable)
	if err != nil {
		return nil, &unavailableError{backend: "nftables", err: err}
	}
	return &nftBackend{nft: nft, family: f}, nil
}

// install ensures the table, its maps, set and base chains (the family's
// skeleton, built once: see nftSkeletons) and adds an element per forward
// to hostports or hostipports and its hairpin, in one transaction, as
// CRI-O's backend does (the caller holds the lock).
func (b *nftBackend) install(fs []Forward) error {
	ctx := context.Background()
	tx := b.nft.NewTransaction()
	// The skeleton first: adding what exists changes nothing, and each base
	// chain is flushed and refilled, so its rules are always exactly these.
	for _, op := range nftSkeletons[b.family] {
		if op.flush {
			tx.Flush(op.obj)
		} else {
			tx.Add(op.obj)
		}
	}
	addElements(tx, fs)
	if err := b.nft.Run(ctx, tx); err != nil {
		return fmt.Errorf("nftables/%s: %w", b.family, err)
	}
	return nil
}

// addElements adds to tx, per forward, its element of hostports
// (proto . port : pod addr . pod port, on any local address) or hostipports
// (host addr . proto . port : pod addr . pod port), and its hairpin (pod
// addr . pod addr) in the hairpins set, each tagged with the hash of the
// sandbox that owns it, so that remove finds them by the tag alone.
func addElements(tx *knftables.Transaction, fs []Forward) {
	els, parts, ports := make([]knftables.Element, 0, 2*len(fs)), newElementParts(len(fs)), portTexts(fs)
	var owner *string // one comment per sandbox, shared by its elements
	for i, f := range fs {
		if owner == nil || *owner != f.Owner {
			o := f.Owner
			owner = &o
		}
		port, podPort := ports[2*i], ports[2*i+1]
		if f.HostIP == "" {
			els = append(els, knftables.Element{Map: "hostports", Key: parts.of(f.Proto, port), Value: parts.of(f.PodIP, podPort), Comment: owner})
		} else {
			els = append(els, knftables.Element{Map: "hostipports", Key: parts.of(f.HostIP, f.Proto, port), Value: parts.of(f.PodIP, podPort), Comment: owner})
		}
		els = append(els, knftables.Element{Set: "hairpins", Key: parts.of(f.PodIP, f.PodIP), Comment: owner})
	}
	addAll(tx, els) // knftables copies each element, keeping its parts: one array of each serves
}

// remove deletes every element tagged with the sandbox's hash.
func (b *nftBackend) remove(id string) error {
	b.Lock()
	defer b.Unlock()
	ctx := context.Background()
	owner := SandboxHash(id)
	var lists [3][]*knftables.Element
	n := 0 // elements tx deletes
	for i, obj := range removedFrom {
		elems, err := b.nft.ListElements(ctx, obj.kind, obj.name)
		if err != nil && knftables.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		lists[i] = elems
		for _, e := range elems {
			if e.Comment != nil && *e.Comment == owner {
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	dels := make([]knftables.Element, 0, n) // one array for the transaction
	for i, obj := range removedFrom {
		for _, e := range lists[i] {
			if e.Comment != nil && *e.Comment == owner {
				del := knftables.Element{Key: e.Key}
				if obj.kind == "map" {
					del.Map = obj.name
				} else {
					del.Set = obj.name
				}
				dels = append(dels, del)
			}
		}
	}
	tx := b.nft.NewTransaction()
	for i := range dels {
		tx.Delete(&dels[i])
	}
	if err := b.nft.Run(ctx, tx); err != nil {
		return fmt.Errorf("nftables/%s: %w", b.family, err)
	}
	return nil
}

// forwards lists what the backend installed, through the nft tool (the
// caller holds the lock).
func (b *nftBackend) forwards() ([]Forward, error) {
	var out []Forward
	for _, name := range forwardMaps {
		elems, err := b.nft.ListElements(context.Background(), "map", name)
		if err != nil && knftables.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = mapForwards(out, name, elems, b.family)
	}
	return out, nil
}

// removedFrom are the maps and the set whose elements remove deletes.
var removedFrom = [...]struct{ kind, name string }{{"map", "hostports"}, {"map", "hostipports"}, {"set", "hairpins"}}

// forwardMaps are the maps whose elements are forwards.
var forwardMaps = []string{"hostports", "hostipports"}

// NFTForwards reads the forwards a crio-hostports table's maps hold, straight
// from the node's state (nil: the table was never made).
func NFTForwards(fk *knftables.Fake, fam netfilter.Family) []Forward {
	return appendNFTForwards(nil, fk, fam)
}

// appendNFTForwards appends NFTForwards(fk, fam) to out.
func appendNFTForwards(out []Forward, fk *knftables.Fake, fam netfilter.Family) []Forward {
	if fk == nil || fk.Table == nil {
		return out
	}
	for _, name := range forwardMaps {
		if m := fk.Table.Maps[name]; m != nil {
			out = mapForwards(out, name, m.Elements, fam)
		}
	}
	return out
}

// mapForwards appends the forwards held by the elements of map name:
// hostports (proto . port : addr . port) or hostipports (addr . proto . port : addr . port).
func mapForwards(out []Forward, name string, elems []*knftables.Element, fam netfilter.Family) []Forward {
	for _, e := range elems {
		f := Forward{Family: fam}
		key := e.Key
		if name == "hostipports" && len(key) == 3 {
			f.HostIP, key = key[0], key[1:]
		}
		if len(key) != 2 || len(e.Value) != 2 {
			continue
		}
		f.Proto = key[0]
		hp, _ := strconv.Atoi(key[1])
		pp, _ := strconv.Atoi(e.Value[1])
		f.HostPort, f.PodIP, f.PodPort = int32(hp), e.Value[0], int32(pp)
		if e.Comment != nil {
			f.Owner = *e.Comment
		}
		out = append(out, f)
	}
	return out
}

// addAll adds every element of els to tx.
func addAll(tx *knftables.Transaction, els []knftables.Element) {
	for i := range els {
		tx.Add(&els[i])
	}
}

// elementParts carves the keys and values of n forwards' elements from
// one array.
type elementParts struct{ s []string }

// newElementParts has room for n forwards: a key of up to 3 parts, a value
// of 2 and a hairpin of 2 each.
func newElementParts(n int) elementParts { return elementParts{s: make([]string, 0, 7*n)} }

// of returns ss as a slice of the array, which nothing appends to.
func (p *elementParts) of(ss ...string) []string {
	n := len(p.s)
	p.s = append(p.s, ss...)
	return p.s[n:len(p.s):len(p.s)]
}

// portTexts is each forward's host port and pod port in decimal, in that
// order, cut from one string.
func portTexts(fs []Forward) []string {
	var buf [96]byte
	text := buf[:0]
	for _, f := range fs {
		text = strconv.AppendInt(strconv.AppendInt(text, int64(f.HostPort), 10), int64(f.PodPort), 10)
	}
	all, out := string(text), make([]string, 0, 2*len(fs))
	for _, f := range fs {
		for _, p := range [2]int32{f.HostPort, f.PodPort} {
			n := len(strconv.AppendInt(buf[:0], int64(p), 10))
			out, all = append(out, all[:n]), all[n:]
		}
	}
	return out
}
