package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/faultsim/faultsim/campaign"
)

// progressPrinter shows a campaign's progress: on a terminal one line
// rewritten in place several times a second; otherwise (CI logs, pipes) a
// plain line every interval.
type progressPrinter struct {
	w        io.Writer
	tty      bool
	interval time.Duration
	mu       sync.Mutex
	shown    bool
}

func newProgressPrinter(w io.Writer, every time.Duration) *progressPrinter {
	p := &progressPrinter{w: w, interval: every}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty, p.interval = true, 250*time.Millisecond
	}
	if p.interval <= 0 {
		p.interval = 10 * time.Second
	}
	return p
}

// line renders one progress report.
func progressLine(p campaign.Progress) string {
	left := "?"
	if p.Remaining >= 0 {
		left = p.Remaining.Round(time.Second).String()
	}
	shrinking := ""
	if p.Shrinking > 0 {
		shrinking = fmt.Sprintf(", shrinking %d", p.Shrinking)
	}
	return fmt.Sprintf("%d scenarios, %.0f/s, %d distinct failure(s) (%d hits)%s, %s elapsed, %s left",
		p.Scenarios, p.Rate, p.Findings, p.Hits, shrinking, p.Elapsed.Round(time.Second), left)
}

func (pp *progressPrinter) update(p campaign.Progress) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.tty {
		fmt.Fprintf(pp.w, "\r\033[K%s", progressLine(p))
		pp.shown = true
		return
	}
	fmt.Fprintf(pp.w, "  progress: %s\n", progressLine(p))
}

// end finishes the in-place line on a terminal.
func (pp *progressPrinter) end() {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.tty && pp.shown {
		fmt.Fprint(pp.w, "\r\033[K")
	}
}
