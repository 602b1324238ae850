package systemd

// since maps each transient-unit property the fake accepts to the first
// systemd version that accepted it. A version older than that rejects the
// property when the unit is created, as systemd rejects unknown properties
// ("Cannot set property X, or unknown property."). Versions are systemd's
// own numbers (219 on Amazon Linux 2 and CentOS 7, 252 on AL2023 and Debian 12).
//
// Sources: systemd NEWS (v205: scopes and slices, the original
// CPUAccounting/MemoryAccounting/BlockIOAccounting knobs; v213: CPUQuota;
// v218: Delegate; v227: TasksAccounting/TasksMax; v230: IOAccounting and the
// IO* knobs of the unified hierarchy; v231: MemoryLow/MemoryHigh/MemoryMax;
// v232: CPUWeight/StartupCPUWeight, MemorySwapMax; v235: IPAccounting; v236: CollectMode; v240:
// MemoryMin; v242: CPUQuotaPeriodUSec; v244: AllowedCPUs/AllowedMemoryNodes).
// Checked against systemd.resource-control(5)'s "Added in version" notes
// (man/systemd.resource-control.xml): they agree on 213, 218, 227, 230,
// 231, 232, 240, 242 and 244, and give 208 for MemoryAccounting,
// DeviceAllow, DevicePolicy and Slice, used here.
var since = map[string]int{
	// Unit and scope basics, older than every version modelled.
	"Description":         1,
	"Slice":               208,
	"After":               1,
	"Before":              1,
	"Wants":               1,
	"Requires":            1,
	"DefaultDependencies": 1,
	"KillMode":            1,
	"KillSignal":          1,
	"SendSIGKILL":         1,
	"SendSIGHUP":          1,
	"TimeoutStopUSec":     1,
	"PIDs":                205,
	"CollectMode":         236,

	// Resource control.
	"CPUAccounting":      205,
	"CPUShares":          205,
	"MemoryAccounting":   208,
	"MemoryLimit":        205,
	"BlockIOAccounting":  205,
	"BlockIOWeight":      205,
	"DevicePolicy":       208,
	"DeviceAllow":        208,
	"CPUQuotaPerSecUSec": 213,
	"Delegate":           218,
	"TasksAccounting":    227,
	"TasksMax":           227,
	"IOAccounting":       230,
	"IOWeight":           230,
	"MemoryLow":          231,
	"MemoryHigh":         231,
	"MemoryMax":          231,
	"CPUWeight":          232,
	"StartupCPUWeight":   232,
	"MemorySwapMax":      232,
	"IPAccounting":       235,
	"MemoryMin":          240,
	"CPUQuotaPeriodUSec": 242,
	"AllowedCPUs":        244,
	"AllowedMemoryNodes": 244,
}

// Known reports whether systemd version v accepts property name in a
// transient unit.
func Known(name string, v int) bool {
	s, ok := since[name]
	return ok && v >= s
}
