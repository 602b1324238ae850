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
	var owner *string // one comment per sandbox, shared by its elements
	for _, f := range fs {
		if owner == nil || *owner != f.Owner {
			o := f.Owner
			owner = &o
		}
		port, podPort := strconv.Itoa(int(f.HostPort)), strconv.Itoa(int(f.PodPort))
		if f.HostIP == "" {
			tx.Add(&knftables.Element{Map: "hostports", Key: []string{f.Proto, port},
				Value: []string{f.PodIP, podPort}, Comment: owner})
		} else {
			tx.Add(&knftables.Element{Map: "hostipports", Key: []string{f.HostIP, f.Proto, port},
				Value: []string{f.PodIP, podPort}, Comment: owner})
		}
		tx.Add(&knftables.Element{Set: "hairpins", Key: []string{f.PodIP, f.PodIP}, Comment: owner})
	}
}

// remove deletes every element tagged with the sandbox's hash.
func (b *nftBackend) remove(id string) error {
	b.Lock()
	defer b.Unlock()
	ctx := context.Background()
	owner := SandboxHash(id)
	tx := b.nft.NewTransaction()
	n := 0
	for _, obj := range []struct{ kind, name string }{{"map", "hostports"}, {"map", "hostipports"}, {"set", "hairpins"}} {
		elems, err := b.nft.ListElements(ctx, obj.kind, obj.name)
		if err != nil && knftables.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		for _, e := range elems {
			if e.Comment != nil && *e.Comment == owner {
				del := &knftables.Element{Key: e.Key}
				if obj.kind == "map" {
					del.Map = obj.name
				} else {
					del.Set = obj.name
				}
				tx.Delete(del)
				n++
			}
		}
	}
	if n == 0 {
		return nil
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
