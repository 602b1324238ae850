package hostport

import "github.com/faultsim/faultsim/models/schema"

// scenarioFields documents the hostport model's keys; the codec reads each
// mapping's keys from it.
var scenarioFields = schema.Reference{
	Fields: []schema.Field{
		{Path: "node", Takes: "the node section", Doc: "see the node keys"},
		{Path: "options", Takes: "mapping", Doc: "the daemon's configuration (optional)"},
		{Path: "options.disable_hostport_mapping", Takes: "true or false", Doc: "CRI-O's --disable-hostport-mapping: any variant then runs a manager that does nothing (default false)"},
		{Path: "faults", Takes: "list", Doc: "see the faults keys"},
		{Path: "steps", Takes: "list ([] for none)", Doc: "kubelet's calls, in time order (required); kubelet retries each until it succeeds"},
		{Path: "steps[].at", Takes: "duration", Doc: "when the call is made (default 0s; never before the previous step)"},
		{Path: "steps[].op", Takes: "an operation (see the operations)", Doc: "the call (required)"},
		{Path: "steps[].sandbox", Takes: "string", Doc: "the sandbox's ID (required); a stop of one the daemon does not know is answered with success"},
		{Path: "steps[].ips", Takes: "list of IPv4 or IPv6 addresses", Doc: "the pod's addresses (run-pod-sandbox only, at least one)"},
		{Path: "steps[].ports", Takes: "list", Doc: "the sandbox's CRI port mappings (run-pod-sandbox only)"},
		{Path: "steps[].ports[].protocol", Takes: "TCP, UDP or SCTP", Doc: "the mapping's protocol (default TCP)"},
		{Path: "steps[].ports[].container_port", Takes: "1-65535", Doc: "the pod's port (required)"},
		{Path: "steps[].ports[].host_port", Takes: "a 32-bit integer", Doc: "the node's port; 0 (default) means none, and values outside 1-65535 are inputs a runtime must refuse"},
		{Path: "steps[].ports[].host_ip", Takes: "an IP address, or empty", Doc: "the node address the port listens on (default: every address of the mapping's family)"},
		{Path: "steps[].fault", Takes: "a data fault this model consumes", Doc: "labels the data fault that shaped the step's input"},
	},
	Ops: []schema.Op{
		{Name: OpRun, Fields: []string{"sandbox", "ips", "ports", "fault"}, Doc: "RunPodSandbox: the daemon sets up the sandbox's network and its host ports"},
		{Name: OpStop, Fields: []string{"sandbox"}, Doc: "StopPodSandbox: the daemon tears the sandbox's network and host ports down and forgets it"},
	},
}
