package systemd

import (
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLastPropertyWins(t *testing.T) {
	s := &Systemd{}
	u, err := s.StartTransientUnit("crio-abc.scope", []Property{
		{"DefaultDependencies", "true"}, {"TimeoutStopUSec", "30000000"}, {"After", "crio.service"},
		{"DefaultDependencies", "false"}, {"After", "network.target"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.DefaultDependencies() {
		t.Error("DefaultDependencies: the later false must win")
	}
	if got := u.TimeoutStop(); got != 30*time.Second {
		t.Errorf("TimeoutStop = %s, want 30s", got)
	}
	if got := strings.Join(u.After(), ","); got != "crio.service,network.target" {
		t.Errorf("After = %s: every After= adds", got)
	}
	for _, tt := range []struct {
		name string
		want bool
	}{{"crio.service", true}, {"network.target", true}, {"crio", false}, {"", false}} {
		if got := u.OrderedAfter(tt.name); got != tt.want {
			t.Errorf("OrderedAfter(%q) = %v, want %v (After lists %v)", tt.name, got, tt.want, u.After())
		}
	}
	if u.KillSignal() != syscall.SIGTERM {
		t.Errorf("KillSignal default = %v, want SIGTERM", u.KillSignal())
	}
}

func TestStartTransientUnitErrors(t *testing.T) {
	hookErr := errors.New("mkdir failed")
	tests := []struct {
		name    string
		sd      Systemd
		unit    string
		props   []Property
		wantErr string
	}{
		{"unknown to 219", Systemd{Version: 219}, "kata.scope", []Property{{"IOAccounting", "true"}}, "Cannot set property IOAccounting, or unknown property"},
		{"known to 252", Systemd{Version: 252}, "kata.scope", []Property{{"IOAccounting", "true"}}, ""},
		{"never known", Systemd{}, "kata.scope", []Property{{"Colour", "red"}}, "Cannot set property Colour"},
		{"bad bool", Systemd{}, "kata.scope", []Property{{"Delegate", "maybe"}}, "Delegate: \"maybe\": expected a boolean"},
		{"bad timeout", Systemd{}, "kata.scope", []Property{{"TimeoutStopUSec", "soon"}}, "TimeoutStopUSec"},
		{"bad name", Systemd{}, "kata", nil, "expected NAME.scope"},
		{"bad slice", Systemd{}, "kata.scope", []Property{{"Slice", "a--b.slice"}}, "slice \"a--b.slice\" is not valid"},
		{"bus down", Systemd{Unavailable: true}, "kata.scope", nil, "NoServer"},
		{"hook fails", Systemd{OnStart: func(*Unit) error { return hookErr }}, "kata.scope", nil, "mkdir failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.sd.StartTransientUnit(tt.unit, tt.props)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want it to contain %q", err, tt.wantErr)
			case tt.wantErr != "" && len(tt.sd.Units()) != 0:
				t.Fatalf("a failed start left units: %s", tt.sd.String())
			}
		})
	}
}

func TestUnitExistsAndRemove(t *testing.T) {
	var stopped []string
	s := &Systemd{OnStop: func(u *Unit) { stopped = append(stopped, u.Name) }}
	if _, err := s.StartTransientUnit("a.scope", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartTransientUnit("a.scope", nil); err == nil || !strings.Contains(err.Error(), "UnitExists") {
		t.Fatalf("second start: %v, want UnitExists", err)
	}
	if err := s.Remove("a.scope"); err != nil || s.Unit("a.scope") != nil || len(stopped) != 1 {
		t.Fatalf("remove: %v, unit %v, stopped %v", err, s.Unit("a.scope"), stopped)
	}
	if err := s.Remove("a.scope"); err == nil || !strings.Contains(err.Error(), "NoSuchUnit") {
		t.Fatalf("second remove: %v, want NoSuchUnit", err)
	}
}

func TestSlicePath(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"-.slice", "/", ""},
		{"system.slice", "/system.slice", ""},
		{"kubepods-besteffort-pod1.slice", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice", ""},
		{"kubepods", "", "expected NAME.slice"},
		{"-a.slice", "", "not valid"},
		{"a/b.slice", "", "not valid"},
	}
	for _, tt := range tests {
		got, err := SlicePath(tt.in)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("SlicePath(%q) = %q, %v; want %q, error containing %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseUSec(t *testing.T) {
	for in, want := range map[string]time.Duration{"0": 0, "30000000": 30 * time.Second, "1m30s": 90 * time.Second} {
		if got, err := ParseUSec(in); err != nil || got != want {
			t.Errorf("ParseUSec(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := ParseUSec("-1s"); err == nil {
		t.Error("ParseUSec(-1s) accepted a negative span")
	}
}
