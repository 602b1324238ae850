package signals

import "github.com/faultsim/faultsim/models/schema"

// scenarioFields documents the signals model's keys; the codec reads each
// mapping's keys from it.
var scenarioFields = schema.Reference{
	Fields: []schema.Field{
		{Path: "node", Takes: "the node section", Doc: "see the node keys"},
		{Path: "options", Takes: "mapping", Doc: "kubelet's configuration (optional)"},
		{Path: "options.shutdown_grace_period", Takes: "duration", Doc: "kubelet's shutdownGracePeriod: with it, node-shutdown stops the pods first, each with its grace; 0s (default) leaves them to systemd"},
		{Path: "containers", Takes: "non-empty list", Doc: "the node's containers, one pod each, all running from 0s (required)"},
		{Path: "containers[].name", Takes: "string, unique", Doc: "the container's name, which steps and faults name (required)"},
		{Path: "containers[].grace", Takes: "duration in whole seconds", Doc: "the pod's terminationGracePeriodSeconds (default 30s)"},
		{Path: "containers[].stop_signal", Takes: "a signal name such as SIGTERM, SIGINT or SIGQUIT", Doc: "the image's stop signal (default SIGTERM)"},
		{Path: "containers[].cleanup", Takes: "duration", Doc: "how long the process's stop-signal handler takes before it exits 0 (default 0s)"},
		{Path: "containers[].host_pid", Takes: "true or false", Doc: "the container shares the node's pid namespace (hostPID): when its process exits, the CRI server has the runtime kill every process of its cgroup (crun kill -a); default false, and a container with children is then pid 1 of its own pid namespace"},
		{Path: "containers[].forward_to_group", Takes: "true or false", Doc: "its process forwards its stop signal to its process group, as tini -g does (default false)"},
		{Path: "containers[].children", Takes: "list", Doc: "the processes its process forks at its start (default none)"},
		{Path: "containers[].children[].on_stop", Takes: "terminate, handle or ignore", Doc: "what the child does with the stop signals: dies (default), cleans up for its cleanup and exits 0, or ignores them"},
		{Path: "containers[].children[].cleanup", Takes: "duration", Doc: "how long its handler takes (on_stop: handle; default 0s)"},
		{Path: "containers[].children[].own_group", Takes: "true or false", Doc: "it moves to a process group of its own (setsid), as a daemon does (default false)"},
		{Path: "containers[].children[].respawn", Takes: "duration, 0s or at least 100ms", Doc: "it is a supervisor: it runs a worker for this long and forks a new one each time the last exits (default 0s: none)"},
		{Path: "faults", Takes: "list", Doc: "see the faults keys"},
		{Path: "steps", Takes: "list ([] for none)", Doc: "the calls, in time order (required)"},
		{Path: "steps[].at", Takes: "duration", Doc: "when the step runs (default 0s; never before the previous step)"},
		{Path: "steps[].op", Takes: "an operation (see the operations)", Doc: "what the step does (required)"},
		{Path: "steps[].container", Takes: "a name from containers", Doc: "the container the step stops"},
		{Path: "steps[].timeout", Takes: "duration", Doc: "the StopContainer timeout (stop-container, required there) or the ExecSync timeout (exec-sync, default 0s: none)"},
		{Path: "steps[].runs", Takes: "duration", Doc: "how long the exec'd command runs before it exits 0 (exec-sync only, required there)"},
		{Path: "steps[].children", Takes: "list of at most 2", Doc: "what the exec'd command forks at its start, as sh -c 'job & ...' does; they run until signalled (exec-sync only, default none)"},
		{Path: "steps[].children[].on_stop", Takes: "terminate, handle or ignore", Doc: "what the child does with the stop signals (default terminate)"},
		{Path: "steps[].children[].cleanup", Takes: "duration", Doc: "how long its handler takes (on_stop: handle; default 0s)"},
		{Path: "steps[].children[].own_group", Takes: "true or false", Doc: "it calls setsid, leaving the command's process group: conmon's timeout kill misses it, the container's end does not (default false)"},
	},
	Ops: []schema.Op{
		{Name: OpStop, Fields: []string{"container", "timeout"}, Doc: "a raw CRI StopContainer call with its timeout (crictl stop)"},
		{Name: OpDelete, Fields: []string{"container"}, Doc: "kubelet deletes the container's pod: StopContainer with the pod's grace period, at least 2s"},
		{Name: OpShutdown, Doc: "the node shuts down (systemctl poweroff)"},
		{Name: OpExecSync, Fields: []string{"container", "timeout", "runs", "children"}, Doc: "a CRI ExecSync call: conmon runs the command in the container and, past the timeout, SIGKILLs its process group and answers exit code -1, \"command timed out\" without waiting for it"},
	},
}
