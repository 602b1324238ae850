package fidelity

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if dirs := os.Getenv(guardEnv); dirs != "" {
		os.Exit(runGuard(filepath.SplitList(dirs)))
	}
	// The packet and restore properties fail on purpose in no test, but a
	// failure must not leave rapid's fail files in the source tree.
	_ = flag.Set("rapid.nofailfile", "true")
	goleak.VerifyTestMain(m)
}

// optOut is the value of FAULTSIM_FIDELITY that skips these tests.
const optOut = "skip"

// need fails the test, loudly, unless it runs as root on Linux with the
// tools on the PATH; FAULTSIM_FIDELITY=skip turns the failure into a skip
// that still names what is missing.
func need(t *testing.T, tools ...string) {
	t.Helper()
	// Without Linux or root the tests cannot run at all: they skip, loudly.
	// As root a missing tool is a failure: make test installs the tools.
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Log("FIDELITY TEST NOT RUN: it needs Linux and root (uid 0) for a private network namespace or cgroup subtree")
		t.Skip("FIDELITY TEST NOT RUN: it needs Linux and root (uid 0); run make test as root to compare the models with the real tools")
	}
	var missing []string
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool+" on the PATH (Debian: apt-get install nftables iptables)")
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "FIDELITY TEST NOT RUN: it needs " + join(missing)
	if os.Getenv("FAULTSIM_FIDELITY") == optOut {
		t.Skip(msg + " (skipped because FAULTSIM_FIDELITY=skip)")
	}
	t.Fatal(msg + "; make test installs them (scripts/install-fidelity-tools), or set FAULTSIM_FIDELITY=skip to skip")
}

func join(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

// inNetns runs fn on an OS thread moved into a new, private network
// namespace. Everything fn runs (nft and iptables children, netlink
// sockets) is in that namespace. The thread is never unlocked, so the Go
// runtime ends it when fn returns and the namespace goes with it: nothing
// the test made outlives it, and the host's rule sets are never touched.
func inNetns(t *testing.T, fn func() error) {
	t.Helper()
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the thread exits with this goroutine.
		if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
			done <- err
			return
		}
		done <- fn()
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
