package stopcheck

import (
	"bytes"
	"fmt"
	"runtime"
	"time"
)

// DefaultStall is how much real time a case may take before the checker
// declares it stalled. A case normally takes well under a millisecond.
const DefaultStall = time.Minute

// watch arms a real-time watchdog for one case and returns its disarm.
//
// Virtual time advances only when every goroutine of the bubble is durably
// blocked. A goroutine blocked on a sync.Mutex or sync.RWMutex, or in a
// system call, is not: if the Stopper holds a mutex while it waits for a
// timer, and another goroutine waits for that mutex, virtual time stops and
// the case hangs in real time. Nothing inside the bubble can notice, and
// nothing outside can unblock it, so after the stall limit the watchdog
// panics with the case and the stacks of the bubble's goroutines (look for
// "sync.Mutex.Lock" or "sync.RWMutex" in their headers) instead of letting
// go test hang until its -timeout.
func watch(c Case, stall time.Duration) func() {
	if stall <= 0 {
		stall = DefaultStall
	}
	t := time.AfterFunc(stall, func() {
		panic(fmt.Sprintf("stopcheck: a case made no progress in %s of real time; most likely a goroutine "+
			"of the Stopper waits on a sync.Mutex held across a wait, which synctest does not count as durably "+
			"blocked, so virtual time stopped (use a channel as the lock)\n%s\nbubble goroutines:\n%s",
			stall, Describe(c), bubbleStacks()))
	})
	return func() { t.Stop() }
}

// bubbleStacks returns the stacks of the goroutines in synctest bubbles.
func bubbleStacks() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out bytes.Buffer
	for g := range bytes.SplitSeq(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("synctest bubble")) {
			out.Write(g)
			out.WriteString("\n\n")
		}
	}
	return out.String()
}
