// Package cgroups models Kata Containers' host-side sandbox resource
// controller (src/runtime/pkg/resourcecontrol and the virtcontainers code
// driving it): it creates a sandbox's cgroup from its resources through
// the real github.com/containerd/cgroups/v3, puts the shim (and so the
// hypervisor) in it, resizes it as containers come and go, and removes it
// when the sandbox stops, on a simulated node (sim/cgroupfs) whose kernel,
// cgroup mode and systemd version the scenario picks.
//
// Variants: "reference" (correct) and "kata-3.12.0", which reproduces
// incident 3 (kata-containers/kata-containers#10756): with the systemd
// cgroup driver and sandbox_cgroup_only, the scope creation error is
// dropped and the Load check is inverted, so on an Amazon-Linux-2-like
// node (5.10, cgroup v1, systemd 219, which rejects IOAccounting) the
// shim dereferences a nil cgroup and dies, and on an AL2023-like node
// (6.1, cgroup v2, systemd 252) the sandbox runs without its limits.
//
// Invariants are stated as the spec, never as a bug: the shim never
// crashes; a running sandbox's vCPU threads are in a cgroup whose limits,
// read back through containerd/cgroups, are its resources; with
// sandbox_cgroup_only every process of the sandbox is in that cgroup; a
// failed creation and a deletion leave no cgroup and no unit behind; a
// node with what the resources need is accepted and one without is
// refused with an error that names what is missing; every call (kubelet
// to containerd, containerd to the shim) returns within kubelet's request
// timeout (hang); after the last step, systemd's bus back, kubelet's
// retries converge: no stop still failing, no process, cgroup or scope of
// a stopped sandbox whose hypervisor has exited (converged).
//
// Containers come and go with their cpusets: the sandbox cgroup's cpuset
// is the union of the sandbox's and its containers' (Kata's
// getSandboxCPUSet), applied by resourceControllerUpdate.
//
// Simplifications, each stated where it is made: the sandbox cgroup is
// created with the sandbox's full resources (Kata passes only the cpuset
// and devices and sizes the VM with the rest); devices are left out (on
// cgroup2 they are an eBPF program); the hypervisor has one vCPU thread;
// cgroup2.LoadSystemd and DeleteSystemd, which hard-code the host's
// /sys/fs/cgroup and D-Bus, are replaced by their equivalents on the
// simulated node; a controller calls Env.Sync between a call and the next
// that reads its effect (see Env). The delete path follows Kata before
// PR #11324, which 3.12.0 predates.
//
// Plugging in a controller (Register, Builder, Controller): a Builder is
// given the node (Env: its cgroup mode and mount point, systemd over a
// D-Bus-like Bus, the runtime's pid and start cgroup, a log, and Sync,
// which lets the simulated kernel take in the calls made so far) and
// returns the controller of one sandbox. It uses the real
// github.com/containerd/cgroups/v3 on the simulated cgroupfs. Create must
// make the sandbox's cgroup with its resources and put the runtime's
// process in it, or refuse with an error naming what the node lacks;
// Update applies the resources as they are now and moves the vCPU threads;
// Delete removes everything Create made (an error makes kubelet retry).
// The invariants observe only the node: the cgroup tree read back through
// the library, the processes' cgroups and systemd's units.
package cgroups
