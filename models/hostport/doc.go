// Package hostport models CRI-O's hostport manager: the component that makes
// a pod sandbox's CRI port mappings reachable on the node, through an
// iptables backend and an nftables backend per IP family, chosen from what the
// node has. A CRI-O-like daemon (RunPodSandbox, StopPodSandbox, start-up
// cleanup of half-deleted sandboxes) drives it under a systemd-like supervisor.
// kubelet retries each call until it succeeds; a stop of a sandbox the
// daemon does not know is a call like any other, which the daemon answers
// with success, as CRI requires of StopPodSandbox.
//
// Variants: "reference" (correct), "crio-1.33.0" (the typed-nil interface of
// cri-o/cri-o#9220: SIGSEGV deleting a pod on a host without iptables, then a
// crash loop) and "zero-port-unfiltered" (host port 0 treated as a real port,
// kubernetes/kubernetes#130460). The daemon option disable_hostport_mapping
// swaps in a manager that does nothing.
//
// The node's kernel reaches the model through nft (kernel-version faults,
// drawn from node.Kernels): before 5.10 the kernel makes the crio-hostports
// table without CRI-O's comment, silently, and destroy fails before 6.3.
// CRI-O 1.33.0 (knftables.New without options, element comments only for
// its own bookkeeping) works the same on every kernel the node knows.
//
// Invariants are stated as the CRI spec, never as a bug: the daemon never
// crashes; the node forwards exactly the live sandboxes' mappings with a host
// port in 1-65535; a deleted sandbox leaves no forwarding; a request is refused
// only for a conflict, an invalid port or a failing tool, and a refused request
// changes nothing; every CRI call returns within kubelet's request timeout
// (hang), and after the last step or fault, failing tools lifted, kubelet's
// retries converge: no StopPodSandbox still retried against a running
// daemon, no forwarding of a stopped sandbox (converged).
//
// Plugging in a manager (Register, Builder, Manager): a Builder is given the
// node's netfilter state (*netfilter.Tables: the node's tools through
// Node().LookPath and Exec, the nat table per family through IPTables, a
// knftables.Interface per nftables table through NFTables; every tool run
// goes through the node, so tool faults reach it) and returns the manager,
// or an error when the node cannot map host ports at all. It is called
// again after every daemon restart and must recover its state from the
// node. Add(id, podIP, mappings) must make each mapping with a host port in
// 1-65535 reachable (on its host IP, or on every address for 0.0.0.0, ::
// or none) at podIP's family, refuse without changing anything a mapping
// that conflicts with another sandbox's or an out-of-range port, and may
// fail when a tool fails; Remove(id, mappings) must delete everything the
// sandbox installed, on every family (mappings may be nil after a
// restart). Add and Remove may run at once for different sandboxes, as
// CRI-O's server calls them: a manager guards what it shares, and race
// mode (RunConcurrent) catches one that does not. The invariants observe
// only the node: they send probe packets for each (protocol, host IP, host
// port) requested through its nat rules (netfilter.Rules), so any rule
// layout the evaluator understands passes.
package hostport
