// Package portmap is a hostport manager of a user's own, as a runtime
// maintainer would plug into faultsim: nftables only, in a table of its
// own ("portmap") with its own chain and map names, each element commented
// with the sandbox that owns it. It is the fixture of scenariotest's
// separate-module test.
package portmap

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"sigs.k8s.io/knftables"

	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// Manager is the hostport manager. Leaky ones forget, on Remove, the ports
// mapped on every address: the deliberate bug the test finds.
type Manager struct {
	nft   map[netfilter.Family]knftables.Interface
	leaky bool
}

// New builds the manager; it needs nft for IPv4.
func New(h *netfilter.Tables) (hostport.Manager, error) { return build(h, false) }

// NewLeaky builds the broken one.
func NewLeaky(h *netfilter.Tables) (hostport.Manager, error) { return build(h, true) }

func build(h *netfilter.Tables, leaky bool) (hostport.Manager, error) {
	m := &Manager{nft: map[netfilter.Family]knftables.Interface{}, leaky: leaky}
	for _, f := range netfilter.Families {
		nft, err := h.NFTables(f, "portmap")
		if err != nil {
			if f == netfilter.IPv4 {
				return nil, fmt.Errorf("portmap: %w", err)
			}
			continue
		}
		m.nft[f] = nft
	}
	return m, nil
}

// entry is one forward: (proto, host IP or "" for all, port) -> pod.
type entry struct {
	proto, hostIP string
	port          int32
	pod           string // address . port
	owner         string
}

func (e entry) overlaps(o entry) bool {
	return e.proto == o.proto && e.port == o.port && (e.hostIP == "" || o.hostIP == "" || e.hostIP == o.hostIP)
}

// Add implements hostport.Manager.
func (m *Manager) Add(id, podIP string, ms []*hostport.PortMapping) error {
	a, err := netip.ParseAddr(podIP)
	if err != nil {
		return fmt.Errorf("portmap: pod address %q: %w", podIP, err)
	}
	fam := netfilter.IPv4
	if !a.Unmap().Is4() {
		fam = netfilter.IPv6
	}
	var want []entry
	for _, pm := range ms {
		if pm.HostPort > 65535 {
			return fmt.Errorf("portmap: host port %d out of range", pm.HostPort)
		}
		host, ok := hostIP(pm.HostIp, fam)
		if pm.HostPort <= 0 || !ok {
			continue
		}
		e := entry{hostport.ProtoName(pm.Protocol), host, pm.HostPort, fmt.Sprintf("%s . %d", podIP, pm.ContainerPort), id}
		if !slices.Contains(want, e) {
			want = append(want, e)
		}
	}
	nft := m.nft[fam]
	if nft == nil || len(want) == 0 {
		return nil
	}
	have, err := entries(nft)
	if err != nil {
		return err
	}
	for i, e := range want {
		for _, o := range append(have, want[:i]...) {
			if e.overlaps(o) && (o.owner != id || o.pod != e.pod) {
				return fmt.Errorf("portmap: %s port %d is taken by %s", e.proto, e.port, o.owner)
			}
		}
	}
	return nft.Run(context.Background(), addTx(nft, fam, want))
}

// hostIP is "" for every address, the address for one of family f, and
// false for one of the other family.
func hostIP(s string, f netfilter.Family) (string, bool) {
	switch s {
	case "", "0.0.0.0", "::":
		return "", true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Is4() != (f == netfilter.IPv4) {
		return "", false
	}
	return s, true
}

// addTx ensures the table, maps and chains and adds the entries.
func addTx(nft knftables.Interface, f netfilter.Family, es []entry) *knftables.Transaction {
	addr, ip := "ipv4_addr", "ip"
	if f == netfilter.IPv6 {
		addr, ip = "ipv6_addr", "ip6"
	}
	tx := nft.NewTransaction()
	tx.Add(&knftables.Table{})
	tx.Add(&knftables.Map{Name: "every-address", Type: "inet_proto . inet_service : " + addr + " . inet_service"})
	tx.Add(&knftables.Map{Name: "one-address", Type: addr + " . inet_proto . inet_service : " + addr + " . inet_service"})
	for _, c := range []struct {
		name string
		hook knftables.BaseChainHook
	}{{"from-outside", knftables.PreroutingHook}, {"from-node", knftables.OutputHook}} {
		tx.Add(&knftables.Chain{Name: c.name, Type: knftables.PtrTo(knftables.NATType), Hook: &c.hook, Priority: knftables.PtrTo(knftables.DNATPriority)})
		tx.Flush(&knftables.Chain{Name: c.name})
		tx.Add(&knftables.Rule{Chain: c.name, Rule: "fib daddr type local dnat " + ip + " to meta l4proto . th dport map @every-address"})
		tx.Add(&knftables.Rule{Chain: c.name, Rule: "dnat " + ip + " to " + ip + " daddr . meta l4proto . th dport map @one-address"})
	}
	for _, e := range es {
		addr, port := podParts(e.pod)
		el := &knftables.Element{Map: "every-address", Key: []string{e.proto, fmt.Sprint(e.port)}, Value: []string{addr, port}, Comment: &e.owner}
		if e.hostIP != "" {
			el.Map, el.Key = "one-address", []string{e.hostIP, e.proto, fmt.Sprint(e.port)}
		}
		tx.Add(el)
	}
	return tx
}

func podParts(pod string) (string, string) {
	var addr, port string
	fmt.Sscanf(pod, "%s . %s", &addr, &port)
	return addr, port
}

// entries reads back what the table holds (nothing before the first Add).
func entries(nft knftables.Interface) ([]entry, error) {
	var out []entry
	for _, name := range []string{"every-address", "one-address"} {
		els, err := nft.ListElements(context.Background(), "map", name)
		if knftables.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, el := range els {
			e := entry{pod: el.Value[0] + " . " + el.Value[1]}
			if el.Comment != nil {
				e.owner = *el.Comment
			}
			k := el.Key
			if name == "one-address" {
				e.hostIP, k = k[0], k[1:]
			}
			e.proto = k[0]
			fmt.Sscan(k[1], &e.port)
			out = append(out, e)
		}
	}
	return out, nil
}

// Remove implements hostport.Manager: it deletes every element the sandbox
// owns, on every family.
func (m *Manager) Remove(id string, _ []*hostport.PortMapping) error {
	for _, f := range netfilter.Families {
		nft := m.nft[f]
		if nft == nil {
			continue
		}
		have, err := entries(nft)
		if err != nil {
			return err
		}
		tx := nft.NewTransaction()
		n := 0
		for _, e := range have {
			if e.owner != id || (m.leaky && e.hostIP == "") {
				continue
			}
			el := &knftables.Element{Map: "every-address", Key: []string{e.proto, fmt.Sprint(e.port)}}
			if e.hostIP != "" {
				el.Map, el.Key = "one-address", []string{e.hostIP, e.proto, fmt.Sprint(e.port)}
			}
			tx.Delete(el)
			n++
		}
		if n > 0 {
			if err := nft.Run(context.Background(), tx); err != nil {
				return err
			}
		}
	}
	return nil
}
