// Package probe reads a real node (never changing it) and describes it as
// the node: section of a scenario file, so that a real incident's node can
// be replayed in faultsim's simulation.
//
// It reads, and only reads:
//
//   - the kernel release: /proc/sys/kernel/osrelease (the string uname -r
//     prints, proc(5) "/proc/sys/kernel/ostype and osrelease");
//   - the distribution: ID and VERSION_ID of /etc/os-release, falling back
//     to /usr/lib/os-release as os-release(5) says;
//   - the cgroup mode and controllers: the cgroup and cgroup2 lines of
//     /proc/self/mountinfo (proc(5), field 9 is the filesystem type and the
//     super options carry a v1 hierarchy's controllers) and, on cgroup2,
//     the root's cgroup.controllers (cgroup-v2.rst "Core Interface Files");
//   - the tools: where each of iptables, ip6tables, iptables-restore,
//     ip6tables-restore, iptables-legacy, iptables-nft, nft, conmon, crun
//     and runc is on the PATH, and the version its --version prints.
//
// The mode is named as systemd names it: "v2" (unified: only cgroup2 at
// /sys/fs/cgroup), "hybrid" (v1 hierarchies plus a controller-less cgroup2
// at /sys/fs/cgroup/unified) and "v1" (legacy: v1 hierarchies only).
package probe
