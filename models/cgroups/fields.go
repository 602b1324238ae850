package cgroups

import "github.com/faultsim/faultsim/models/schema"

// scenarioFields documents the cgroups model's keys; the codec reads each
// mapping's keys from it.
var scenarioFields = schema.Reference{
	Fields: []schema.Field{
		{Path: "node", Takes: "the node section", Doc: "see the node keys; the distro gives the cgroup tree's profile"},
		{Path: "config", Takes: "mapping", Doc: "the runtime's configuration (optional)"},
		{Path: "config.driver", Takes: "systemd or cgroupfs", Doc: "the cgroup driver (default cgroupfs)"},
		{Path: "config.sandbox_cgroup_only", Takes: "true or false", Doc: "Kata's sandbox_cgroup_only: false also makes the overhead cgroup /kata_overhead/<id> (default false)"},
		{Path: "config.hypervisor", Takes: "qemu or firecracker", Doc: "the hypervisor (default qemu)"},
		{Path: "faults", Takes: "list", Doc: "see the faults keys"},
		{Path: "steps", Takes: "list ([] for none)", Doc: "kubelet's calls, in time order (required)"},
		{Path: "steps[].at", Takes: "duration", Doc: "when the call is made (default 0s; never before the previous step)"},
		{Path: "steps[].op", Takes: "an operation (see the operations)", Doc: "the call (required)"},
		{Path: "steps[].sandbox", Takes: "a containerd identifier: letters and digits with single '.', '_' or '-' between, at most 76 characters", Doc: "the sandbox's ID (required)"},
		{Path: "steps[].container", Takes: "string", Doc: "the container's ID (create-container and remove-container, required there)"},
		{Path: "steps[].resources", Takes: "mapping", Doc: "the sandbox's limits (run-pod-sandbox, required there)"},
		{Path: "steps[].resources.cpu_shares", Takes: "0 (unset) or 2-262144", Doc: "CPU shares"},
		{Path: "steps[].resources.cpu_quota", Takes: "0 (unset) or 1000 and up", Doc: "CPU quota per 100 ms period, in microseconds"},
		{Path: "steps[].resources.cpus", Takes: "a CPU list of the node's online CPUs, such as 0-1 or 2,3", Doc: "the cpuset (default: unset)"},
		{Path: "steps[].resources.memory", Takes: "0 (unset) or bytes", Doc: "the memory limit"},
		{Path: "steps[].resources.pids", Takes: "0 (unset) or 1-4194304", Doc: "the pids limit"},
		{Path: "steps[].cpus", Takes: "a CPU list of the node's online CPUs", Doc: "the container's cpuset (create-container only)"},
	},
	Ops: []schema.Op{
		{Name: OpRun, Fields: []string{"sandbox", "resources"}, Doc: "RunPodSandbox: the runtime creates the sandbox's cgroups with its limits"},
		{Name: OpAdd, Fields: []string{"sandbox", "container", "cpus"}, Doc: "CreateContainer: the sandbox's limits grow by the container's"},
		{Name: OpRemove, Fields: []string{"sandbox", "container"}, Doc: "RemoveContainer: the sandbox's limits shrink back"},
		{Name: OpStop, Fields: []string{"sandbox"}, Doc: "StopPodSandbox: the runtime deletes the sandbox's cgroups"},
	},
}
