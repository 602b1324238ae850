package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// extremes are the largest and smallest values of the types numeric fields
// are written in (int64, uint64 and beyond, time.Duration), and the largest
// each field accepts (host ports and PCI groups 65535, CPU shares 262144,
// quota 2^40, memory 2^50, pids 4194304, systemd 999, 1000 tool failures,
// the last CPU 3, 24 h of virtual time), and the smallest.
var extremes = []string{
	"9223372036854775807", "-9223372036854775808", "18446744073709551615", "99999999999999999999999",
	"2562047h47m16.854775807s", "2562047h47m17s", "-2562047h47m16.854775808s", "24h", "1e308",
	"65535", "262144", "1099511627776", "1125899906842624", "4194304", "999", "1000", "3", "2", "1", "0",
}

// limitFiles are a file per model with one numeric field left as V; every
// numeric field of every model is here.
var limitFiles = map[string][]string{
	"hostport": {
		"seed: V\n" + hostportSteps("0s", "80", "8080"),
		hostportSteps("V", "80", "8080"),
		hostportSteps("0s", "V", "8080"),
		hostportSteps("0s", "80", "V"),
		"faults:\n  - {fault: tool-fails, tool: iptables-restore, times: V}\n" + hostportSteps("0s", "80", "8080"),
		"faults:\n  - {fault: daemon-restart, at: V}\n" + hostportSteps("0s", "80", "8080"),
	},
	"signals": {
		signalsFile("V", "1s", "1s", "", ""),
		signalsFile("1s", "V", "1s", "", ""),
		signalsFile("1s", "1s", "V", "", ""),
		signalsFile("1s", "1s", "1s", "options: {systemd_version: V}\n", ""),
		signalsFile("1s", "1s", "1s", "options: {shutdown_grace_period: V}\n", ""),
		signalsFile("1s", "1s", "1s", "", "  - {fault: slow-exit, container: db, after: V}\n"),
		signalsFile("1s", "1s", "1s", "", "  - {fault: d-state, container: db, at: 0s, for: V}\n"),
		signalsFile("1s", "1s", "1s", "", "  - {fault: d-state, container: db, at: V, for: 1s}\n"),
		signalsFile("1s", "1s", "1s", "", "  - {fault: monitor-dies, container: db, at: V}\n"),
		signalsFile("1s", "1s", "1s", "", "  - {fault: exits-on-its-own, container: db, at: V}\n"),
		signalsFile("1s", "1s", "1s", "", "  - {fault: signal-delay, nth: V, delay: 1s}\n"),
		signalsFile("1s", "1s", "1s", "", "  - {fault: signal-delay, nth: 1, delay: V}\n"),
		signalsFile("1s", "1s", "1s", "", "  - {fault: signal-drop, nth: V}\n"),
		signalsFile("1s", "1s", "1s", "", "  - {fault: signal-dup, nth: V}\n"),
		signalsFile("1s", "1s", "1s", "", "  - {fault: signal-reorder, nth: V}\n"),
	},
	"cgroups": {
		cgroupsFile("cpu_shares: V", ""), cgroupsFile("cpu_quota: V", ""), cgroupsFile("memory: V", ""),
		cgroupsFile("pids: V", ""), cgroupsFile("cpus: \"V\"", ""), cgroupsFile("cpus: \"0-V\"", ""),
		"node: {profile: al2-like}\n" + cgroupsFile("cpu_shares: V", ""), "node: {profile: al2-like}\n" + cgroupsFile("cpu_quota: V", ""),
		"node: {profile: al2-like}\n" + cgroupsFile("memory: V", ""), "node: {profile: al2-like}\n" + cgroupsFile("pids: V", ""),
		cgroupsFile("", "  - {fault: systemd-version, version: V}\n"),
		cgroupsFile("", "  - {fault: cgroup-vanishes, sandbox: p, at: V}\n"),
		cgroupsFile("", "  - {fault: hypervisor-exit-slow, sandbox: p, for: V}\n"),
	},
	"annotations": {
		"pci:\n  - {group: V, bdf: \"0000:41:00.0\", vendor: \"0x10de\", class: \"0x030200\"}\n" +
			"steps:\n  - {at: 0s, op: create, id: a, spec: '{}'}\nexpect: pass\n",
		"steps:\n  - {at: V, op: create, id: a, spec: '{}'}\nexpect: pass\n",
	},
}

func hostportSteps(at, ctr, host string) string {
	return "steps:\n  - {at: " + at + ", op: run-pod-sandbox, sandbox: a, ips: [10.88.0.2], ports: [{container_port: " + ctr +
		", host_port: " + host + "}]}\n  - {at: 24h, op: stop-pod-sandbox, sandbox: a}\nexpect: pass\n"
}

func signalsFile(grace, cleanup, timeout, options, faults string) string {
	if faults != "" {
		faults = "faults:\n" + faults
	}
	return options + "containers:\n  - {name: db, grace: " + grace + ", cleanup: " + cleanup + "}\n" + faults +
		"steps:\n  - {at: 1s, op: stop-container, container: db, timeout: " + timeout + "}\n  - {at: 24h, op: delete-pod, container: db}\nexpect: pass\n"
}

// cgroupsFile is a sandbox with every resource set, resource ("key: V")
// replacing one, and faults. (With pids unset the reference variant reads
// pids "absent" on cgroup v2 and breaks sandbox-limits-match-spec: a
// question for the model, left out of this test.)
func cgroupsFile(resource, faults string) string {
	if faults != "" {
		faults = "faults:\n" + faults
	}
	res := []string{"cpu_shares: 1024", "cpu_quota: 100000", "cpus: \"0-1\"", "memory: 268435456", "pids: 1024"}
	for i, r := range res {
		if key, _, _ := strings.Cut(resource, ":"); strings.HasPrefix(r, key+":") {
			res[i] = resource
		}
	}
	return faults + "steps:\n  - {at: 0s, op: run-pod-sandbox, sandbox: p, resources: {" + strings.Join(res, ", ") +
		"}}\n  - {at: 24h, op: stop-pod-sandbox, sandbox: p}\nexpect: pass\n"
}

// TestLargestValues: every numeric field of every model, given the largest
// and smallest values its type allows (and beyond), is refused at its line
// and field, or parses, replays within 10 s, and passes on the reference
// variant, which no value may break.
func TestLargestValues(t *testing.T) {
	for _, model := range ModelNames() {
		files := limitFiles[model]
		if len(files) == 0 {
			t.Fatalf("model %s has no files in limitFiles: add one per numeric field", model)
		}
		for _, tmpl := range files {
			for _, v := range extremes {
				text := "name: x\nmodel: " + model + "\nvariant: reference\n" + strings.Replace(tmpl, "V", v, 1)
				s, err := parseWithin(t, "limits.yaml", []byte(text))
				var pe *Error
				switch {
				case errors.As(err, &pe):
					if pe.Line == 0 || pe.Field == "" {
						t.Errorf("%s: error %v names no line and field\n%s", model, err, text)
					}
					continue
				case err != nil:
					t.Fatalf("%s: error %T %v, want a *Error\n%s", model, err, err, text)
				}
				err = within(t, 10*time.Second, func() error {
					o, err := Run(s, false)
					if err == nil && !o.OK {
						err = errors.New("reference variant " + o.Got)
					}
					return err
				})
				if err != nil {
					t.Errorf("%s: %v\n%s", model, err, text)
				}
			}
		}
	}
}
