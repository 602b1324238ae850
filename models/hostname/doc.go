// Package hostname is faultsim's example model, small on purpose: the
// pod hostname kubelet computes and the runtime sets in the sandbox's UTS
// namespace. It is one directory (its cases, variants, invariants, data
// fault, generator, scenario-file codec, actors and fuzz target) plus one
// import line in models/all, which is all a model needs.
//
// kubelet (GeneratePodHostNameAndDomain in pkg/kubelet/kubelet_pods.go)
// takes the pod's spec.hostname, or its name, and truncates it to 63
// characters, trimming any '-' or '.' the cut leaves at the end; the CRI
// server hands it to the runtime, whose sethostname(2) refuses more than
// 64 bytes. The invariant is the contract, not the code: a running pod's
// hostname is a valid RFC 1123 host name of at most 63 characters that
// begins the name it was asked for. "reference" is kubelet's code;
// "truncate-only" is a mutant that cuts without trimming, which a pod name
// with '-' or '.' at the cut turns into an invalid host name.
package hostname
