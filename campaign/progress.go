package campaign

import (
	"context"
	"time"
)

// Progress is a campaign's running count.
type Progress struct {
	Elapsed   time.Duration
	Remaining time.Duration // -1: unknown
	Scenarios int64         // run in this session
	Rate      float64       // scenarios per second in this session
	Findings  int           // distinct
	Hits      int64         // scenarios that broke something (flushed so far)
	Shrinking int           // findings being shrunk
}

// watch stops the campaign at its budget or on an interrupt, reports
// progress, and saves the state every few seconds, until done.
func (c *session) watch(ctx context.Context, done <-chan struct{}) {
	var deadline, reserve <-chan time.Time
	if c.cfg.Duration > 0 {
		t := time.NewTimer(c.cfg.Duration)
		defer t.Stop()
		deadline = t.C
		if c.cfg.ShrinkTime > 0 && c.cfg.ShrinkTime < c.cfg.Duration {
			r := time.NewTimer(c.cfg.Duration - c.cfg.ShrinkTime)
			defer r.Stop()
			reserve = r.C
		}
	}
	tick := time.NewTicker(c.cfg.ProgressInterval)
	defer tick.Stop()
	lastSave := time.Now()
	ctxDone := ctx.Done()
	for {
		select {
		case <-done:
			return
		case <-reserve:
			c.reserved.Store(true)
			if c.progress().Shrinking > 0 {
				c.stop.Store(true)
			}
			reserve = nil
		case <-deadline:
			c.cut("the --duration budget")
			deadline = nil
		case <-ctxDone:
			c.cut("an interrupt")
			ctxDone = nil
		case <-tick.C:
			if c.cfg.Progress != nil {
				c.cfg.Progress(c.progress())
			}
			if c.cfg.Out != "" && time.Since(lastSave) >= 5*time.Second {
				lastSave = time.Now()
				if err := c.save(); err != nil {
					c.fail(err)
				}
			}
		}
	}
}

// cut stops the search and cuts every shrink short; why is what did it.
func (c *session) cut(why string) {
	c.cutBy.CompareAndSwap(nil, why)
	c.abort.Store(true)
	c.stop.Store(true)
}

// cutReason is what cut shrinks short.
func (c *session) cutReason() string {
	if why, ok := c.cutBy.Load().(string); ok {
		return why
	}
	return "an interrupt"
}

// progress is the running count.
func (c *session) progress() Progress {
	el := time.Since(c.start)
	p := Progress{Elapsed: el, Remaining: -1, Scenarios: c.ran.Load()}
	if s := el.Seconds(); s > 0 {
		p.Rate = float64(p.Scenarios) / s
	}
	if c.cfg.Duration > 0 {
		p.Remaining = max(0, c.cfg.Duration-el)
	}
	c.mu.Lock()
	p.Findings = len(c.state.Findings)
	for _, on := range c.shrinking {
		if on {
			p.Shrinking++
		}
	}
	for _, f := range c.state.Findings {
		p.Hits += f.Hits
	}
	if max := c.state.MaxScenarios; max > 0 && p.Rate > 0 {
		var left int64
		for _, ss := range c.state.Streams {
			left += c.sched.left(ss, max)
		}
		if r := time.Duration(float64(left) / p.Rate * float64(time.Second)); p.Remaining < 0 || r < p.Remaining {
			p.Remaining = r
		}
	}
	c.mu.Unlock()
	return p
}
