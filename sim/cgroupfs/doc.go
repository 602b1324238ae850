// Package cgroupfs is a simulated node's cgroup filesystem: a real
// directory tree that the real github.com/containerd/cgroups/v3 code reads
// and writes, shaped by the node's kernel, cgroup mode and systemd, with
// the kernel's state (hierarchies, controllers, tasks) behind it.
//
// # Layout
//
// Mountpoint() is the node's /sys/fs/cgroup. In unified (v2) mode it is
// the cgroup2 root; in legacy (v1) mode it holds one directory per
// mounted controller, co-mounted as systemd does (cpu,cpuacct and
// net_cls,net_prio, with cpu, cpuacct, net_cls and net_prio links) and
// systemd's name=systemd hierarchy; hybrid mode adds a controller-less
// cgroup2 at unified/. Every cgroup is a directory holding its interface
// files with the kernel's contents: cgroup.controllers is the parent's
// cgroup.subtree_control, cgroup.procs lists the cgroup's processes,
// cpuset.cpus.effective follows the ancestors, memory.max reads "max".
//
// # The kernel, synchronously and not
//
// A plain directory cannot answer a write the way kernfs does, so the
// kernel acts at two moments. Between windows (Begin ... Settle, one per
// runtime call) the node changes the tree itself (systemd makes a scope,
// kubelet a pod cgroup, a process starts or exits). At Settle the kernel
// takes in what the runtime did, read exactly from an inotify queue (the
// kernel queues each event with the call that caused it, so no polling
// and no goroutine): controllers enabled with "+memory" take effect and
// their files appear in the children; PIDs written to cgroup.procs or
// tasks move processes (cgroup v1 writers do not truncate: the PID is
// recovered from the bytes it overwrote); values are checked and read back
// canonical (memory rounded down to pages, CPU lists as ranges); a
// directory made with mkdir becomes a cgroup with its interface files.
//
// A write the kernel refuses (a controller not in cgroup.controllers, a
// file the kernel lacks or keeps read-only, a value out of range, a
// process into a cgroup that enables controllers for its children) is
// reported as a Refusal, and Learned() returns it as a Plan entry. A
// replay of the same scenario (same choices, same windows) with that plan
// makes the file refuse synchronously: it becomes a link to a missing
// sysfs name, so creating it fails with EACCES and opening it with ENOENT,
// exactly as a missing kernfs file does. When a runtime makes a cgroup and
// writes into it in one call, the plan makes the cgroup exist beforehand
// as mkdir would have filled it, as a link that the runtime's rmdir
// removes like an empty cgroup. Replaying until nothing is learned gives
// the runtime the kernel's answers at the calls that got them.
//
// Limits of the simulation, each deliberate: only files runtimes read are
// materialised (others are accepted when written and listed in the facts);
// an empty file is left out until it has content (library readers treat a
// missing cgroup.procs as empty); a refusing file refuses every write in
// its window, and errno is EACCES or ENOENT where the kernel may say
// EINVAL or EBUSY; a cgroup.procs written twice in one window keeps the
// last PID; a runtime whose call reads what its own earlier call changed
// (moves processes, then removes their cgroup) must let the kernel settle
// in between (the cgroups model's Env.Sync); eBPF device filters are not
// simulated.
//
// # Trees kept for the next
//
// A closed tree whose disk holds exactly what its kernel state says (the
// runtime did nothing the kernel did not take in) is kept, one for each
// cgroup mode, and the next tree of its mode is made in it: it claims each
// directory, file and link it would have made that the simulation made
// there (never what the runtime made, refused or not) with the same bytes,
// writes only what differs, and removes what it did not claim before any
// window opens or any reader flushes. A directory the last node made
// where this one makes its own beside it (another pod, another unit) is
// moved there and claimed from, instead of removed and made anew; one left
// unclaimed at the sweep that holds only files is set aside whole, beside
// the tree, for a cgroup made later in the same parent directory (see
// spare.go). What a runtime or reader sees is what a new tree shows, byte
// for byte; CloseIdle removes the kept trees and what they set aside.
//
// The tree keeps a descriptor open, for reading and writing, on each file
// it renders or reads back, and rewrites, reads and hands it to the next
// tree through it while it still reaches the file at its path (the window
// removed and renamed nothing, or settle has taken such changes in). It
// renders only the cgroups whose state changed since their last render.
//
// # Kernel facts and their sources
//
// Each kernel version has the controllers and interface files it really
// has (kernel.go lists them with the version that added each):
//
//	fact                                          since   source
//	cgroup2 core files, io, memory, pids           4.5    Documentation/admin-guide/cgroup-v2.rst; v4.5 release
//	rdma and perf_event on cgroup2                 4.11   cgroup-v2.rst "RDMA", "perf_event"
//	cgroup.threads, cgroup.type, cgroup.stat,      4.14   torvalds/linux merge "for-4.14" (thread mode, cgroup.stat)
//	  cgroup.max.depth/descendants
//	cpu controller on cgroup2 (cpu.weight, .max)   4.15   same merge message ("CPU controller cgroup2 support ... before the next merge window")
//	memory.min                                     4.18   cgroup-v2.rst "memory.min"
//	memory.oom.group, io.latency                   4.19   cgroup-v2.rst
//	PSI files (cpu/memory/io.pressure)             4.20   Documentation/accounting/psi.rst
//	cpuset on cgroup2                              5.0    "cpuset: Enable cpuset controller in default hierarchy" (Waiman Long, lkml)
//	cgroup.freeze, memory.events.local             5.2    cgroup-v2.rst
//	cpu.uclamp.min/max                             5.3    cgroup-v2.rst
//	io.weight, io.cost.*                           5.4    cgroup-v2.rst "IO Interface Files"
//	hugetlb on cgroup2                             5.6    "mm: hugetlb controller for cgroups v2" (faced7e0806c), merge "for-5.6" (03aa8c8cfaec)
//	memory.swap.high                               5.8    cgroup-v2.rst
//	misc controller (v1 and v2)                    5.13   "cgroup: Add misc cgroup controller", merge "for-5.13" (55e6be657b8d)
//	cgroup.kill (non-root cgroups)                 5.14   "cgroup: introduce cgroup.kill" (661ee6280931), merge "for-5.14" (3dbdb38e2869)
//	cpu.max.burst                                  5.14   cgroup-v2.rst (burstable CFS bandwidth)
//	cpu.idle                                       5.15   cgroup-v2.rst
//	misc.events                                    5.16   "misc_cgroup: introduce misc.events to count failures"
//	memory.peak, memory.reclaim, memory.zswap.*    5.19   cgroup-v2.rst; DOMjudge's cgroup v2 notes ("kernel 5.19 ... to record peak RAM usage")
//	irq.pressure                                   6.1    Documentation/accounting/psi.rst
//	v1: memory.limit_in_bytes reads 9223372036854771712 when unset (PAGE_COUNTER_MAX pages of 4 KiB)
//	v1: cpu.shares clamps to 2..262144, cfs_quota_us takes -1 or >= 1000, cfs_period_us 1ms..1s
//	v1: memory.swappiness takes 0-200 from 5.8, 0-100 before (c843966c556d)
//	v1: a cpuset without CPUs or memory nodes takes no task: ENOSPC (cpuset_can_attach; only in cgroups the runtime made: the node's own stand for cgroups their makers filled); a CPU outside the parent's: EACCES (validate_change)
//	a CPU list past the last CPU: ERANGE (bitmap_parselist); cgroup.freeze and cgroup.kill out of range: ERANGE
//	a read-only interface file opens for writing as root, and the write fails with EINVAL (kernfs has no write operation)
//	creating a file in cgroupfs fails with EACCES: kernfs directories have no create operation (fs/namei.c lookup_open)
//	a non-root cgroup2 cgroup that enables controllers in cgroup.subtree_control cannot hold processes (cgroup-v2.rst "No Internal Process Constraint")
//	writing a thread's ID to cgroup.procs moves its whole process (kernel/cgroup/cgroup.c, cgroup_procs_write_start)
//	an exiting task (PF_EXITING) is skipped by migration (kernel/cgroup/cgroup.c, cgroup_migrate_add_task)
//
// The named profiles stand for these machines:
//
//	profile           kernel  mode    systemd  source
//	al2-like          5.10    v1      219      Amazon Linux 2 (systemd-219 in its package set; kernel-5.10 extra; cgroup v1)
//	al2023-like       6.1     v2      252      Amazon Linux 2023 (kernel 6.1, systemd 252, cgroup v2)
//	debian10-like     4.19    hybrid  241      Debian 10 buster
//	ubuntu20.04-like  5.4     hybrid  245      Ubuntu 20.04 focal
//	debian11-like     5.10    v2      247      Debian 11 bullseye
//	ubuntu22.04-like  5.15    v2      249      Ubuntu 22.04 jammy
//	debian12-like     6.1     v2      252      Debian 12 bookworm
//	lts6.6-like       6.6     v2      255      a 6.6 LTS kernel with systemd 255 (composite)
//	legacy4.19-like   4.19    v1      239      a 4.19 kernel booted cgroup v1 only (composite)
//
// systemd's cgroup2 controllers (SystemdV2Controllers) and transient-unit
// properties follow systemd.resource-control(5)'s "Added in version" notes.
package cgroupfs
