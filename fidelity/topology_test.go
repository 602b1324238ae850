package fidelity

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/faultsim/faultsim/models/hostport"
	"github.com/faultsim/faultsim/sim/netfilter"
)

// topology is the packet test's three private network namespaces: the
// host (the node whose rules are compared), the pod (every pod address,
// and the listeners) and the client, the host joined to each by a veth.
type topology struct {
	host, pod, client *nsThread
	listeners         []io.Closer
	wg                sync.WaitGroup
}

// newTopology makes the namespaces and links, with podIPs on the pod's
// veth. Forwarding is on in the host; DAD is off everywhere, so addresses
// are usable at once, and neighbour solicitations are resent after 50 ms,
// not 1 s (one sent before a link is up is lost).
func newTopology(podIPs []string) (*topology, error) {
	topo := &topology{}
	if err := topo.build(podIPs); err != nil {
		topo.close()
		return nil, err
	}
	return topo, nil
}

func (topo *topology) build(podIPs []string) (err error) {
	for _, ns := range []**nsThread{&topo.host, &topo.pod, &topo.client} {
		if *ns, err = newNSThread(); err != nil {
			return err
		}
		if err := (*ns).sysctl(map[string]string{"ipv6/conf/all/accept_dad": "0", "ipv6/conf/default/accept_dad": "0"}); err != nil {
			return err
		}
		if err := (*ns).run("ip link set lo up"); err != nil {
			return err
		}
	}
	v4, v6 := netfilter.IPv4, netfilter.IPv6
	if err := topo.host.sysctl(map[string]string{"ipv4/ip_forward": "1", "ipv6/conf/all/forwarding": "1"}); err != nil {
		return err
	}
	if err := topo.host.run(
		fmt.Sprintf("ip link add vh0 type veth peer name vp0 netns %d", topo.pod.tid),
		fmt.Sprintf("ip link add vh1 type veth peer name vc0 netns %d", topo.client.tid),
		"ip addr add "+hostPodSide[v4].String()+"/24 dev vh0",
		"ip addr add "+hostPodSide[v6].String()+"/64 dev vh0 nodad",
		"ip addr add "+hostClientSide[v4].String()+"/24 dev vh1",
		"ip addr add "+hostClientSide[v6].String()+"/64 dev vh1 nodad",
		"ip addr add "+hostLoopback[v4].String()+"/32 dev lo",
		"ip addr add "+hostLoopback[v6].String()+"/128 dev lo",
	); err != nil {
		return err
	}
	if err := topo.host.sysctl(fastNeigh("vh0", "vh1")); err != nil {
		return err
	}
	if err := topo.pod.sysctl(fastNeigh("vp0")); err != nil {
		return err
	}
	if err := topo.client.sysctl(fastNeigh("vc0")); err != nil {
		return err
	}
	podCmds := []string{
		"ip addr add " + podHostSide[v4].String() + "/24 dev vp0",
		"ip addr add " + podHostSide[v6].String() + "/64 dev vp0 nodad",
		"ip link set vp0 up",
		"ip route add default via " + hostPodSide[v4].String(),
		"ip route add ::/0 via " + hostPodSide[v6].String(),
	}
	slices.Sort(podIPs)
	for _, ip := range slices.Compact(podIPs) {
		a := netip.MustParseAddr(ip)
		podCmds = append(podCmds, fmt.Sprintf("ip addr add %s/%d dev vp0 nodad", a, a.BitLen()))
	}
	if err := topo.pod.run(podCmds...); err != nil {
		return err
	}
	if err := topo.client.run(
		"ip addr add "+clientAddr[v4].String()+"/24 dev vc0",
		"ip addr add "+clientAddr[v6].String()+"/64 dev vc0 nodad",
		"ip link set vc0 up",
		"ip route add default via "+hostClientSide[v4].String(),
		"ip route add ::/0 via "+hostClientSide[v6].String(),
	); err != nil {
		return err
	}
	// The host's ends come up last: a neighbour's first solicitation sent
	// to a peer still down would be lost, and resent only a second later.
	if err := topo.host.run("ip link set vh0 up", "ip link set vh1 up",
		"ip route add 10.88.0.0/16 via "+podHostSide[v4].String(),
		"ip route add fd00::/64 via "+podHostSide[v6].String()); err != nil {
		return err
	}
	return topo.ready()
}

// fastNeigh are the settings that make interfaces resend neighbour
// solicitations after 50 ms.
func fastNeigh(devs ...string) map[string]string {
	out := map[string]string{}
	for _, d := range devs {
		out["ipv4/neigh/"+d+"/retrans_time_ms"] = "50"
		out["ipv6/neigh/"+d+"/retrans_time_ms"] = "50"
	}
	return out
}

// ready waits until each namespace reaches its neighbour over both
// families: a TCP connection to a port nobody listens on is refused at
// once (a lost first packet would cost a retransmission, longer than a
// probe waits).
func (topo *topology) ready() error {
	deadline := time.Now().Add(5 * time.Second)
	for _, f := range netfilter.Families {
		for _, hop := range []struct {
			from *nsThread
			to   netip.Addr
		}{{topo.client, hostClientSide[f]}, {topo.host, podHostSide[f]}, {topo.pod, hostPodSide[f]}} {
			for {
				err := hop.from.do(func() error {
					c, err := net.DialTimeout("tcp", netip.AddrPortFrom(hop.to, 9).String(), 100*time.Millisecond)
					if err == nil {
						_ = c.Close()
					}
					return err
				})
				if errors.Is(err, syscall.ECONNREFUSED) {
					break
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("%s is not reachable 5 s after the topology was made: %v", hop.to, err)
				}
			}
		}
	}
	return nil
}

// listen starts, in the pod namespace, a listener on every TCP and UDP pod
// address and port of fwds; each answers with its own address:port.
func (topo *topology) listen(fwds []hostport.Forward) error {
	seen := map[string]bool{}
	return topo.pod.do(func() error {
		for _, f := range fwds {
			if f.Proto != "tcp" && f.Proto != "udp" {
				continue
			}
			ap := netip.AddrPortFrom(netip.MustParseAddr(f.PodIP), uint16(f.PodPort)).String()
			if seen[f.Proto+" "+ap] {
				continue
			}
			seen[f.Proto+" "+ap] = true
			if f.Proto == "tcp" {
				l, err := net.Listen("tcp", ap)
				if err != nil {
					return fmt.Errorf("listen on the pod's tcp %s: %w", ap, err)
				}
				topo.listeners = append(topo.listeners, l)
				topo.wg.Go(func() { serveTCP(l, ap) })
				continue
			}
			pc, err := net.ListenPacket("udp", ap)
			if err != nil {
				return fmt.Errorf("listen on the pod's udp %s: %w", ap, err)
			}
			topo.listeners = append(topo.listeners, pc)
			topo.wg.Go(func() { serveUDP(pc, ap) })
		}
		return nil
	})
}

func serveTCP(l net.Listener, id string) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		_, _ = c.Write([]byte(id))
		_ = c.Close()
	}
}

func serveUDP(pc net.PacketConn, id string) {
	buf := make([]byte, 64)
	for {
		_, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		_, _ = pc.WriteTo([]byte(id), from)
	}
}

// probeTimeout bounds a connection that gets no answer.
const probeTimeout = 300 * time.Millisecond

// send makes p's connection from its namespace and returns the answer
// ("none" when nothing answered).
func (topo *topology) send(p packetProbe) string {
	ns := map[string]*nsThread{"client": topo.client, "host": topo.host, "hairpin": topo.pod}[p.path]
	answer := "none"
	_ = ns.do(func() error {
		d := net.Dialer{Timeout: probeTimeout}
		if p.path == "hairpin" {
			d.LocalAddr = map[string]net.Addr{"tcp": &net.TCPAddr{IP: p.pkt.Src.AsSlice()}, "udp": &net.UDPAddr{IP: p.pkt.Src.AsSlice()}}[p.pkt.Proto]
		}
		c, err := d.Dial(p.pkt.Proto, netip.AddrPortFrom(p.pkt.Dst, p.pkt.DstPort).String())
		if err != nil {
			return err
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(probeTimeout))
		if p.pkt.Proto == "udp" {
			if _, err := c.Write([]byte("?")); err != nil {
				return err
			}
		}
		var got []byte
		if p.pkt.Proto == "udp" {
			buf := make([]byte, 64)
			k, err := c.Read(buf)
			if err != nil {
				return err
			}
			got = buf[:k]
		} else if got, err = io.ReadAll(c); err != nil {
			return err
		}
		if len(got) > 0 {
			answer = string(got)
		}
		return nil
	})
	return answer
}

// close stops the listeners and ends the namespaces.
func (topo *topology) close() {
	for _, l := range topo.listeners {
		_ = l.Close()
	}
	topo.wg.Wait()
	for _, ns := range []*nsThread{topo.host, topo.pod, topo.client} {
		if ns != nil {
			ns.close()
		}
	}
}
