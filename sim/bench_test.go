package sim

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkTrace is recording one event with arguments, on and off.
func BenchmarkTrace(b *testing.B) {
	for _, off := range []bool{false, true} {
		b.Run(fmt.Sprintf("off=%t", off), func(b *testing.B) {
			b.ReportAllocs()
			t := &Trace{Off: off}
			for i := 0; i < b.N; i++ {
				if i%1024 == 0 {
					t = &Trace{Off: off}
				}
				t.Add(time.Duration(i), "kubelet", "RunPodSandbox %s ports=%d", "web", i)
			}
		})
	}
}

// BenchmarkTraceHash is the hash of a 1,000-event trace.
func BenchmarkTraceHash(b *testing.B) {
	t := &Trace{}
	for i := 0; i < 1000; i++ {
		t.Send(time.Duration(i)*time.Millisecond, "kubelet", "crio", "StopContainer %s timeout %d", "web", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t.Hash()
	}
}

// BenchmarkScheduler is n events due at the same instant, each tie broken
// by a PRNG, run to the end: the cost per event of the scheduler.
func BenchmarkScheduler(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("simultaneous=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			do := func() {}
			for i := 0; i < b.N; i++ {
				s := NewScheduler(NewPRNG(uint64(i)))
				for j := 0; j < n; j++ {
					s.At(time.Second, "event", do)
				}
				for s.Next() != nil {
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
		})
	}
}

// BenchmarkRunner is 100 events at distinct times through a Runner with an
// invariant check after each: the harness per event.
func BenchmarkRunner(b *testing.B) {
	b.ReportAllocs()
	do := func() {}
	check := func(time.Duration) []Violation { return nil }
	for i := 0; i < b.N; i++ {
		s := NewScheduler(NewPRNG(uint64(i)))
		for j := 0; j < 100; j++ {
			s.At(time.Duration(j)*time.Millisecond, "event", do)
		}
		r := &Runner{Sched: s, Trace: &Trace{Off: true}, Check: check}
		r.Run()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/event")
}

// BenchmarkTaskYield is a yield point: a task suspends, its resume event
// is scheduled and run, and it goes on. With tasks=2 two tasks take turns
// (each yield a choice between them); start is a task's start and end.
func BenchmarkTaskYield(b *testing.B) {
	for _, tasks := range []int{1, 2} {
		b.Run(fmt.Sprintf("tasks=%d", tasks), func(b *testing.B) {
			b.ReportAllocs()
			s := NewScheduler(NewPRNG(1))
			ts := &Tasks{Sched: s}
			per := b.N / tasks
			for range tasks {
				ts.Go("yielder", func(t *Task) {
					for range per {
						t.Yield()
					}
				})
			}
			b.ResetTimer()
			for ev := s.Next(); ev != nil; ev = s.Next() {
				ev.Do()
			}
			b.StopTimer()
			ts.Close()
		})
	}
	// A run's first task on a new coroutine whose body calls a few
	// kilobytes deep, as a model's stop path does.
	b.Run("fresh-deep", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s := NewScheduler(NewPRNG(1))
			ts := &Tasks{Sched: s}
			ts.Go("task", func(*Task) { deepCall(12) })
			for ev := s.Next(); ev != nil; ev = s.Next() {
				ev.Do()
			}
			ts.Close()
		}
	})
	// The same on a coroutine an earlier run left in a pool.
	b.Run("pooled-deep", func(b *testing.B) {
		b.ReportAllocs()
		var pool Coroutines
		defer pool.Release()
		for i := 0; i < b.N; i++ {
			s := NewScheduler(NewPRNG(1))
			ts := &Tasks{Sched: s, Pool: &pool}
			ts.Go("task", func(*Task) { deepCall(12) })
			for ev := s.Next(); ev != nil; ev = s.Next() {
				ev.Do()
			}
			ts.Close()
		}
	})
	b.Run("start", func(b *testing.B) {
		b.ReportAllocs()
		s := NewScheduler(NewPRNG(1))
		ts := &Tasks{Sched: s}
		for i := 0; i < b.N; i++ {
			ts.Go("task", func(*Task) {})
			for ev := s.Next(); ev != nil; ev = s.Next() {
				ev.Do()
			}
		}
		b.StopTimer()
		ts.Close() // its idle coroutine
	})
}

// deepCall uses about n*300 bytes of stack.
//
//go:noinline
func deepCall(n int) byte {
	var buf [256]byte
	buf[n%len(buf)] = byte(n)
	if n > 0 {
		buf[0] += deepCall(n - 1)
	}
	return buf[0]
}
