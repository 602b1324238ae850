package proc

import (
	"fmt"
	"syscall"
)

// Action is a signal's default action (signal(7)): what SIG_DFL does.
type Action int

// The default actions of signal(7).
const (
	// ActTerm ends the process.
	ActTerm Action = iota
	// ActCore ends the process with a core dump.
	ActCore
	// ActIgn discards the signal.
	ActIgn
	// ActStop stops the process.
	ActStop
	// ActCont continues a stopped process.
	ActCont
)

func (a Action) String() string {
	return [...]string{"term", "core", "ign", "stop", "cont"}[a]
}

// DefaultAction is sig's default action as signal(7) lists it.
func DefaultAction(sig syscall.Signal) Action {
	switch sig {
	case syscall.SIGQUIT, syscall.SIGILL, syscall.SIGTRAP, syscall.SIGABRT, syscall.SIGBUS,
		syscall.SIGFPE, syscall.SIGSEGV, syscall.SIGXCPU, syscall.SIGXFSZ, syscall.SIGSYS:
		return ActCore
	case syscall.SIGCHLD, syscall.SIGURG, syscall.SIGWINCH:
		return ActIgn
	case syscall.SIGSTOP, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU:
		return ActStop
	case syscall.SIGCONT:
		return ActCont
	}
	return ActTerm
}

// kernelOnly reports whether sig can be neither caught nor ignored.
func kernelOnly(sig syscall.Signal) bool { return sig == syscall.SIGKILL || sig == syscall.SIGSTOP }

var signalNames = [...]string{
	syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT", syscall.SIGILL: "SIGILL",
	syscall.SIGTRAP: "SIGTRAP", syscall.SIGABRT: "SIGABRT", syscall.SIGBUS: "SIGBUS", syscall.SIGFPE: "SIGFPE",
	syscall.SIGKILL: "SIGKILL", syscall.SIGUSR1: "SIGUSR1", syscall.SIGSEGV: "SIGSEGV", syscall.SIGUSR2: "SIGUSR2",
	syscall.SIGPIPE: "SIGPIPE", syscall.SIGALRM: "SIGALRM", syscall.SIGTERM: "SIGTERM", syscall.SIGCHLD: "SIGCHLD",
	syscall.SIGCONT: "SIGCONT", syscall.SIGSTOP: "SIGSTOP", syscall.SIGTSTP: "SIGTSTP", syscall.SIGTTIN: "SIGTTIN",
	syscall.SIGTTOU: "SIGTTOU", syscall.SIGURG: "SIGURG", syscall.SIGXCPU: "SIGXCPU", syscall.SIGXFSZ: "SIGXFSZ",
	syscall.SIGWINCH: "SIGWINCH", syscall.SIGSYS: "SIGSYS",
}

// SignalName names a signal as kill -l does ("SIGTERM").
func SignalName(sig syscall.Signal) string {
	if sig > 0 && int(sig) < len(signalNames) && signalNames[sig] != "" {
		return signalNames[sig]
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// ParseSignal reads a signal name ("SIGTERM", "TERM") or number ("15").
func ParseSignal(s string) (syscall.Signal, error) {
	for n := 1; n < 32; n++ {
		name := SignalName(syscall.Signal(n))
		if s == name || "SIG"+s == name || s == fmt.Sprint(n) {
			return syscall.Signal(n), nil
		}
	}
	return 0, fmt.Errorf("%q: expected a signal such as SIGTERM, SIGINT, SIGQUIT or a number 1-31", s)
}
