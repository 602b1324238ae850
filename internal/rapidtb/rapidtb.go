// Package rapidtb is a rapid.TB that records a failure instead of failing
// a test, so a test can run a property it expects to fail (a buggy
// variant) and then assert on rapid's minimal case.
package rapidtb

import (
	"fmt"
	"sync"
)

// Observer records whether the property failed and the failure messages.
// The zero value is ready to use; it is safe for concurrent use.
type Observer struct {
	mu     sync.Mutex
	failed bool
	msgs   []string
}

// Failed reports whether the property failed.
func (o *Observer) Failed() bool { o.mu.Lock(); defer o.mu.Unlock(); return o.failed }

// Messages returns the failure messages, in order.
func (o *Observer) Messages() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.msgs...)
}

func (o *Observer) fail(msg string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failed = true
	if msg != "" {
		o.msgs = append(o.msgs, msg)
	}
}

// Helper implements rapid.TB.
func (o *Observer) Helper() {}

// Name implements rapid.TB.
func (o *Observer) Name() string { return "observer" }

// Logf implements rapid.TB; logs are dropped.
func (o *Observer) Logf(string, ...any) {}

// Log implements rapid.TB; logs are dropped.
func (o *Observer) Log(...any) {}

// Skipf implements rapid.TB.
func (o *Observer) Skipf(string, ...any) {}

// Skip implements rapid.TB.
func (o *Observer) Skip(...any) {}

// SkipNow implements rapid.TB.
func (o *Observer) SkipNow() {}

// Errorf implements rapid.TB: it records the failure.
func (o *Observer) Errorf(format string, args ...any) { o.fail(fmt.Sprintf(format, args...)) }

// Error implements rapid.TB: it records the failure.
func (o *Observer) Error(args ...any) { o.fail(fmt.Sprint(args...)) }

// Fatalf implements rapid.TB: it records the failure.
func (o *Observer) Fatalf(format string, args ...any) { o.fail(fmt.Sprintf(format, args...)) }

// Fatal implements rapid.TB: it records the failure.
func (o *Observer) Fatal(args ...any) { o.fail(fmt.Sprint(args...)) }

// FailNow implements rapid.TB: it records the failure.
func (o *Observer) FailNow() { o.fail("") }

// Fail implements rapid.TB: it records the failure.
func (o *Observer) Fail() { o.fail("") }
