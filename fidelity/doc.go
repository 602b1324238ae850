// Package fidelity holds faultsim's differential fidelity tests: the same
// operations run against the simulation and against the real tools and
// kernel of the machine the tests run on, and the results compared.
//
//   - hostport: the reference manager's nftables transactions are applied
//     both to the simulated node (knftables.Fake) and to the real nft in a
//     private network namespace made for the test; the rule sets are listed
//     through knftables and nft and compared. The simulated iptables nat
//     table is loaded into the real iptables-restore and read back with
//     iptables-save. With nft present and iptables absent, the real
//     knftables.New must behave as the simulated node's NFTables does.
//     On this machine's kernel and nft, the node built from the probe
//     accepts or refuses knftables' destroy options and a destroy
//     transaction as the real ones do (with nft's message), and keeps or
//     drops table and chain comments as the real kernel does.
//   - packets: real TCP and UDP connections, IPv4 and IPv6, from a client,
//     the host and a pod (hairpin) in private network namespaces joined by
//     veths, to every host endpoint of drawn hostport scenarios, answer
//     where netfilter.Evaluate predicts from the simulated tables (both
//     backends).
//   - iptables-restore: drawn operation lists run on IPTables.Apply and on
//     the real iptables-restore --noflush succeed or fail alike and leave
//     the same table.
//   - cgroups refusals: each refusal the simulated cgroupfs models is
//     provoked in the private subtree of every real hierarchy; the errno
//     and the files afterwards are compared.
//   - cgroups: the cgroups model's reference sandbox controller itself
//     (cgroupfs driver, sandbox_cgroup_only), through the real
//     containerd/cgroups library, creates, updates and deletes a sandbox
//     cgroup twice: in a private subtree /faultsim-fidelity-<pid> made in
//     every hierarchy of the real cgroupfs, with a real sleep process as
//     the shim, and in the simulated tree of the nearest kernel profile
//     (faultsim probe's), given this machine's CPUs. After every call the
//     limit files and every hierarchy's cgroup.procs are compared. The
//     subtree is removed (the process killed, then rmdir deepest first)
//     whatever the outcome, by a guard process when the test binary dies
//     first (a -test.timeout panic, a signal), and subtrees of earlier runs
//     whose process is gone are removed before. v1 and hybrid machines only.
//   - processes: scripts of forks, signals, waits, process groups, pidfds
//     and pid allocator settings run by a C driver (built by the test) as
//     pid 1 of a private pid namespace, and on sim/proc; every step's
//     answer and every process's state must match.
//
// The tests need root, nft, iptables, ip and cc (CI's .ci/run installs them); they
// fail loudly where these are missing unless FAULTSIM_FIDELITY=skip is set.
// They never touch anything outside the namespace or subtree they make.
// FIDELITY.md at the repository root tabulates what is checked and the
// results. The package has no code outside its tests.
package fidelity
