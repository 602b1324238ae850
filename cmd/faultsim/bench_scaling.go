package main

import (
	"context"
	"sync"
	"time"

	"github.com/faultsim/faultsim/models"
	"github.com/faultsim/faultsim/sim"
)

// scalingRounds is how many (1 goroutine, 2 goroutines) pairs scaling runs.
const scalingRounds = 5

// scaling measures how throughput scales from one goroutine to two:
// scenarios drawn and run as by throughput, by 1 and then by 2 goroutines
// for d/(2*scalingRounds) each, from the same seed in a pair, in
// interleaved pairs so that a change of load on the machine hits both
// alike; it returns the median of the pairs' ratios (2 goroutines'
// scenarios/s over 1's).
func scaling(ctx context.Context, m *models.Model, variant string, d time.Duration) float64 {
	slot := d / (2 * scalingRounds)
	var ratios []float64
	for round := 0; round < scalingRounds && ctx.Err() == nil; round++ {
		one := parallelRate(ctx, m, variant, 1, slot, uint64(10+round))
		two := parallelRate(ctx, m, variant, 2, slot, uint64(10+round))
		if one > 0 {
			ratios = append(ratios, two/one)
		}
	}
	if len(ratios) == 0 {
		return 0
	}
	for i := range ratios { // insertion sort: at most scalingRounds values
		for j := i; j > 0 && ratios[j] < ratios[j-1]; j-- {
			ratios[j], ratios[j-1] = ratios[j-1], ratios[j]
		}
	}
	return ratios[len(ratios)/2]
}

// parallelRate runs scenarios on n goroutines for d (each at least 4
// scenarios), goroutine g taking scenario indexes g, g+n, ..., and returns
// scenarios per second of wall time. Each goroutine counts its own
// scenarios: a counter both wrote at every scenario would pass its cache
// line between the cores, a cost one goroutine does not pay.
func parallelRate(ctx context.Context, m *models.Model, variant string, n int, d time.Duration, seed uint64) float64 {
	defer spareProc(n, m.SystemBound)() // as a campaign of n workers runs
	counts := make([]int64, n)
	var wg sync.WaitGroup
	start := time.Now()
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := 0
			for i := g; (k < 4 || time.Since(start) < d) && ctx.Err() == nil; i, k = i+n, k+1 {
				s := benchSeed(seed, i)
				_, _ = m.Generate(sim.NewPRNG(s), variant).Run(sim.NewPRNG(s), false)
			}
			counts[g] = int64(k)
		}()
	}
	wg.Wait()
	var done int64
	for _, k := range counts {
		done += k
	}
	return float64(done) / time.Since(start).Seconds()
}
