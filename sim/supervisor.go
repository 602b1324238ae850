package sim

import "time"

// Supervisor restarts a crashed daemon the way systemd does for a unit with
// Restart=on-failure: after RestartSec, unless the unit was started more than
// StartLimitBurst times within StartLimitInterval, in which case the unit
// fails for good: a crash loop. The zero value uses systemd's defaults
// (100ms, 5 starts in 10s).
type Supervisor struct {
	//lint:ignore ST1011 named after systemd's RestartSec=, which it models
	RestartSec         time.Duration
	StartLimitBurst    int
	StartLimitInterval time.Duration

	starts []time.Duration
	failed bool
}

func (s *Supervisor) defaults() (time.Duration, int, time.Duration) {
	restart, burst, interval := s.RestartSec, s.StartLimitBurst, s.StartLimitInterval
	if restart == 0 {
		restart = 100 * time.Millisecond
	}
	if burst == 0 {
		burst = 5
	}
	if interval == 0 {
		interval = 10 * time.Second
	}
	return restart, burst, interval
}

// Delay is how long after a crash the restart happens.
func (s *Supervisor) Delay() time.Duration {
	d, _, _ := s.defaults()
	return d
}

// Start records a start attempt at now. It returns false, and the unit stays
// failed, when the start rate limit is hit.
func (s *Supervisor) Start(now time.Duration) bool {
	if s.failed {
		return false
	}
	_, burst, interval := s.defaults()
	kept := s.starts[:0]
	for _, t := range s.starts {
		if now-t < interval {
			kept = append(kept, t)
		}
	}
	s.starts = kept
	if len(s.starts) >= burst {
		s.failed = true
		return false
	}
	s.starts = append(s.starts, now)
	return true
}

// Failed reports whether the unit hit its start limit.
func (s *Supervisor) Failed() bool { return s.failed }
