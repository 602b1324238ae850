package hostname

import "github.com/faultsim/faultsim/models/schema"

// scenarioFields documents the model's keys; the codec reads each mapping's
// keys from it.
var scenarioFields = schema.Reference{
	Fields: []schema.Field{
		{Path: "node", Takes: "the node section", Doc: "see the node keys"},
		{Path: "faults", Takes: "list", Doc: "see the faults keys (no component of this model takes one: its fault is a data fault)"},
		{Path: "steps", Takes: "list ([] for none)", Doc: "kubelet's calls, in time order (required)"},
		{Path: "steps[].at", Takes: "duration", Doc: "when the call is made (default 0s; never before the previous step)"},
		{Path: "steps[].op", Takes: "an operation (see the operations)", Doc: "the call (required)"},
		{Path: "steps[].pod", Takes: "a DNS-1123 subdomain of at most 253 characters", Doc: "the pod's name (required); a run needs a pod not running, a stop one that is"},
		{Path: "steps[].hostname", Takes: "a DNS-1123 label of at most 63 characters", Doc: "the pod's spec.hostname (run-pod-sandbox only; default: the pod's name)"},
		{Path: "steps[].fault", Takes: "a data fault this model consumes", Doc: "labels the data fault that shaped the pod's name"},
	},
	Ops: []schema.Op{
		{Name: OpRun, Fields: []string{"pod", "hostname", "fault"}, Doc: "kubelet runs the pod's sandbox with the host name it derives"},
		{Name: OpStop, Fields: []string{"pod"}, Doc: "kubelet stops the pod's sandbox"},
	},
}
