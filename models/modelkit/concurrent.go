package modelkit

import (
	"sync"
	"time"
)

// Serve runs one request handler as a daemon's server does, and reports
// false when it panicked: a panic ends that handler only (in race mode the
// deterministic run of the same case reports it as a crash).
func Serve(handle func() error) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_ = handle()
	return true
}

// RaceHandlers runs each handler on a goroutine of its own, all released
// at once, and each again and again (Serve) until d has passed or it
// panics; it returns once every one has ended. It is the body of a model's
// race mode: handlers that share memory run as the real server runs them.
func RaceHandlers(d time.Duration, handlers ...func() error) {
	until := time.Now().Add(d)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, h := range handlers {
		wg.Go(func() {
			<-start
			for time.Now().Before(until) && Serve(h) {
			}
		})
	}
	close(start)
	wg.Wait()
}
