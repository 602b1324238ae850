package isolate

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	Serve() // in a child: answer the parent's requests and exit
	goleak.VerifyTestMain(m)
}

// registry is a shim's sandbox registry whose request handlers share a
// map; locked says whether they take its lock.
type registry struct {
	mu        sync.Mutex
	sandboxes map[string]int
}

func (r *registry) handle(id string, until time.Time, locked bool) {
	for i := 0; i&1023 != 0 || time.Now().Before(until); i++ {
		if locked {
			r.mu.Lock()
		}
		r.sandboxes[id] = i
		_ = r.sandboxes["other"]
		if locked {
			r.mu.Unlock()
		}
	}
}

// serveRequests runs two request handlers at once, as a daemon's gRPC
// server does, for a while: unlocked, until the runtime catches them.
func serveRequests(locked bool) error {
	r := &registry{sandboxes: map[string]int{}}
	var wg sync.WaitGroup
	start := make(chan struct{})
	d := 200 * time.Millisecond
	if !locked {
		d = 2 * time.Second
	}
	until := time.Now().Add(d)
	for _, id := range []string{"web", "db"} {
		wg.Add(1)
		go func() { defer wg.Done(); <-start; r.handle(id, until, locked) }()
	}
	close(start)
	wg.Wait()
	return nil
}

func init() {
	Handle("test.ok", func([]byte) error { return nil })
	Handle("test.echo-error", func(arg []byte) error { return errors.New(string(arg)) })
	Handle("test.locked-map", func([]byte) error { return serveRequests(true) })
	Handle("test.unsynchronised-map", func([]byte) error { return serveRequests(false) })
	Handle("test.goroutine-panic", func([]byte) error {
		done := make(chan struct{})
		go func() {
			var m map[string]int
			//lint:ignore SA5000 a panic in a goroutine nothing recovers ends the process
			m["x"] = 1
			close(done)
		}()
		<-done
		return nil
	})
	Handle("test.hang", func([]byte) error { time.Sleep(time.Hour); return nil })
}

// TestChildRecordsHowItDiedAndGoesOn: each request runs in the child; one
// that kills it (an unsynchronised map shared by two handlers, a panic in
// a goroutine, a hang) comes back as a Death with its stacks, and the
// next request runs in a new child.
func TestChildRecordsHowItDiedAndGoesOn(t *testing.T) {
	// Under the race detector, the detector or the runtime's own check
	// may see the unsynchronised map first.
	mapDeath := FatalError
	if raceEnabled {
		mapDeath = FatalError + "|" + DataRace
	}
	tests := []struct {
		fn, arg  string
		kind     string // "" for no death
		err      string
		message  string
		minStack int
		site     string // the function of the death's site, or its start
	}{
		{fn: "test.ok"},
		{fn: "test.echo-error", arg: "refused", err: "refused"},
		{fn: "test.locked-map"},
		{fn: "test.unsynchronised-map", kind: mapDeath, message: "", minStack: 2, site: "isolate.(*registry).handle"},
		{fn: "test.goroutine-panic", kind: Panic, message: "assignment to entry in nil map", minStack: 1, site: "isolate.init."},
		{fn: "test.hang", kind: Timeout, message: "", minStack: 1, site: "isolate.init."},
		{fn: "test.no-such", err: `no function "test.no-such"`},
	}
	t.Setenv("GOMAXPROCS", "2") // the children's handlers run in parallel
	c := &Child{}
	defer c.Close()
	deaths := 0
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			c.Timeout = 3 * time.Second
			if tt.kind == Timeout {
				c.Timeout = 300 * time.Millisecond
			}
			d, err := c.Run(tt.fn, []byte(tt.arg))
			// Go's dump of a fatal error cannot always show a goroutine
			// running on another thread ("stack unavailable"): a race
			// death whose other racer was caught so is run again, a few
			// times, each run a death of its own.
			for try := 1; try < 5 && tt.minStack >= 2 && err == nil && d != nil &&
				racersIn(d, tt.site) < 2 && strings.Contains(d.Output, "stack unavailable"); try++ {
				t.Logf("run %d: the other racer's stack was unavailable; running again", try)
				deaths++
				d, err = c.Run(tt.fn, []byte(tt.arg))
			}
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) || d != nil {
					t.Fatalf("death %v, error %v; want the error %q", d, err, tt.err)
				}
				return
			case err != nil:
				t.Fatalf("error %v", err)
			case tt.kind == "":
				if d != nil {
					t.Fatalf("the child died: %s\n%s", d, d.Output)
				}
				return
			case d == nil:
				t.Fatalf("the child did not die, want %s", tt.kind)
			}
			deaths++
			t.Logf("%s", d)
			if !slices.Contains(strings.Split(tt.kind, "|"), d.Kind) || !strings.Contains(d.Message, tt.message) || len(d.Stacks) < tt.minStack || !strings.HasPrefix(d.Site().Func, tt.site) || d.Site().File != "isolate_test.go" {
				t.Fatalf("death %s (%d stacks, site %s), want %s %q with %d stacks at %s\n%s", d, len(d.Stacks), d.Site(), tt.kind, tt.message, tt.minStack, tt.site, d.Output)
			}
			if tt.minStack >= 2 {
				// Both racing handlers' stacks are in the death, the
				// crashing one first; where the other is listed depends
				// on the dump (goroutine 1, waiting for them, may come
				// between).
				if f, ok := d.Stacks[0].userFrame(); !ok || f.Func != tt.site || f.File != "isolate_test.go" {
					t.Fatalf("the crashing goroutine %d does not reach the handler: %+v", d.Stacks[0].Goroutine, d.Stacks[0].Frames)
				}
				if in := racersIn(d, tt.site); in < 2 {
					t.Fatalf("%d stacks reach the handler, want both racing goroutines'\n%s", in, d.Output)
				}
			}
		})
	}
	if c.Starts != 1+deaths {
		t.Fatalf("%d children started for %d deaths, want one more than the deaths", c.Starts, deaths)
	}
}

// racersIn counts the stacks of d in a request of serveRequests: in the
// handler (site) or anywhere in the closure running it.
func racersIn(d *Death, site string) int {
	in := 0
	for _, s := range d.Stacks {
		if slices.ContainsFunc(s.Frames, func(f Frame) bool {
			return f.File == "isolate_test.go" && (f.Func == site || strings.HasPrefix(f.Func, "isolate.serveRequests.func"))
		}) {
			in++
		}
	}
	return in
}

// TestParseDeath reads the kinds of output a child dies with.
func TestParseDeath(t *testing.T) {
	race := `==================
WARNING: DATA RACE
Write at 0x00c000094000 by goroutine 7:
  runtime.mapassign_fast64()
      /usr/local/go/src/internal/runtime/maps/runtime_fast64.go:196 +0x0
  github.com/x/shim.(*store).put()
      /src/shim/store.go:8 +0xb7

Previous read at 0x00c000094000 by goroutine 8:
  runtime.mapaccess1_fast64()
      /usr/local/go/src/internal/runtime/maps/runtime_fast64.go:17 +0x0
  github.com/x/shim.(*store).get()
      /src/shim/store.go:12 +0x44

Goroutine 7 (running) created at:
  main.main()
      /tmp/rr/main.go:8 +0x7b
==================
`
	fatal := `fatal error: concurrent map writes

goroutine 18 [running]:
internal/runtime/maps.fatal({0x5a1b2e?, 0x0?})
	/usr/local/go/src/runtime/panic.go:1058 +0x18
github.com/x/shim.(*store).put(0xc000010018, {0x5a0f6e, 0x3})
	/src/shim/store.go:8 +0x9d
created by github.com/x/shim.serve in goroutine 1
	/src/shim/serve.go:20 +0x8e

goroutine 1 [semacquire]:
sync.runtime_Semacquire(0xc000012110?)
	/usr/local/go/src/runtime/sema.go:71 +0x25

goroutine 19 [runnable]:
github.com/x/shim.(*store).get(...)
	/src/shim/store.go:12
created by github.com/x/shim.serve in goroutine 1
	/src/shim/serve.go:20 +0x8e
`
	tests := []struct {
		name, out string
		code      int
		want      string
	}{
		{"race", race, 66, "data race: write by goroutine 7, previous read by goroutine 8 at shim.(*store).put (store.go:8) and shim.(*store).get (store.go:12)"},
		{"fatal", fatal, 2, "fatal error: concurrent map writes at shim.(*store).put (store.go:8) and shim.(*store).get (store.go:12)"},
		// Under -race the map's own check may print its line as the
		// detector reports: the report, which names both accesses, wins.
		{"fatal line before a race report", "fatal error: concurrent map writes\n" + race, 66,
			"data race: write by goroutine 7, previous read by goroutine 8 at shim.(*store).put (store.go:8) and shim.(*store).get (store.go:12)"},
		{"exit", "some log\nbye\n", 3, "exit: bye"},
		{"silent", "", 1, "exit: exit status 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseDeath(tt.out, tt.code).String(); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
