// Package fuzzers adapts faultsim's native fuzz targets to libFuzzer for
// ClusterFuzzLite and OSS-Fuzz (deploy/clusterfuzzlite/build.sh compiles
// every FuzzX function here with compile_go_fuzzer). An input means what it
// means to the go test -fuzz target of the same name in package scenarios
// (scenarios.DecodeFuzzInput), so a crash file becomes a scenario file with
// "faultsim import --model M FILE".
package fuzzers

import "github.com/faultsim/faultsim/scenarios"

// Targets maps every model to its libFuzzer target.
var Targets = map[string]func([]byte) int{
	"hostport":    FuzzHostport,
	"signals":     FuzzSignals,
	"annotations": FuzzAnnotations,
	"cgroups":     FuzzCgroups,
}

// FuzzHostport checks the hostport model's fuzz variant on one input.
func FuzzHostport(data []byte) int { return check("hostport", data) }

// FuzzSignals checks the signals model's fuzz variant on one input.
func FuzzSignals(data []byte) int { return check("signals", data) }

// FuzzAnnotations checks the annotations model's fuzz variant on one input.
func FuzzAnnotations(data []byte) int { return check("annotations", data) }

// FuzzCgroups checks the cgroups model's fuzz variant on one input.
func FuzzCgroups(data []byte) int { return check("cgroups", data) }

// check panics on a violation, which libFuzzer reports as a crash with the
// scenario in the message; 0 keeps the input like any other.
func check(model string, data []byte) int {
	if err := scenarios.CheckFuzzInput(model, data); err != nil {
		panic(err)
	}
	return 0
}
