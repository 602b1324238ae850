// Package campaign searches for failures: scenarios drawn from a seed on
// parallel workers (Run), every distinct failure shrunk (package shrink)
// and written once as a scenario file that replays it (package scenarios),
// a state file to resume from (--resume) or to merge shards with (Merge),
// an output directory held by one process at a time (LockOut), and the
// reports summary.md, summary.json and report.html. What a campaign finds
// depends only on its seed, streams, shard and budget in scenarios, never
// on the number of workers or on interruptions.
//
// It also bridges native fuzzing and campaigns: a case is drawn from a
// stream of bits (bits.go), which a campaign takes from its seed and a
// native fuzz target (scenarios/scenariotest) from its input, so
// "faultsim import" turns a fuzz input into the scenario files a campaign
// would write for the same failures (fuzzinput.go).
package campaign
