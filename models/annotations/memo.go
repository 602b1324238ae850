package annotations

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The harness reads each create's config.json (containerd's routing and the
// oracle) and decodes what the shim writes out (the round trip check).
// Campaigns draw the same few thousand texts over and over, so the harness
// decodes each text with DecodeSpec once and shares what it reads of it:
// decoding is a pure function of the text, so the remembered answer is the
// answer. The shim under test always decodes the text itself, as a runtime
// does. This whole-text memo keeps the texts decodeSharedBytes does not
// read in parts (parts.go) or with long strings elided (elide.go): mostly
// those without an annotations member.
//
// What is remembered is the harness's view of the spec (harnessView): the
// annotations and the device paths, the only members the harness reads, so
// the memo holds a few megabytes of small objects rather than whole specs.
// A memo of whole specs made the live heap tens of megabytes, which the
// garbage collector marks on every cycle, and under faultsim's soft memory
// limit (cmd/faultsim/gc.go) it ran cycles several times as often: on one
// campaign worker the collector ran on the idle core, on two it took the
// workers' time.
//
// The memo is a partMemo keyed by the whole text: texts above memoMaxText
// are not remembered, nor any once memoBudget bytes are held (about 2 KiB
// an entry: the text and its view; 8 MiB when every slot is full). A long
// text is a short one with a map fault's long value (about 17 KiB): it
// reaches the memos with the value elided.
const (
	memoMaxText = 4 << 10
	memoBudget  = 12 << 20
)

// decoded is what the whole-text memo remembers of a text: the harness's
// view of its decode, and the decode's error.
type decoded struct {
	spec *specs.Spec
	err  error
}

// decodedSize estimates the bytes a decoded view holds besides its text:
// the spec, its map entries and strings, its device entries.
func decodedSize(d decoded) int64 {
	n := int64(384)
	if d.spec != nil {
		for k, v := range d.spec.Annotations {
			n += int64(len(k)+len(v)) + 64
		}
		if d.spec.Linux != nil {
			for _, dev := range d.spec.Linux.Devices {
				n += int64(len(dev.Path)) + 96
			}
		}
	}
	return n
}

// sharedSpecs is the process's whole-text memo.
var sharedSpecs = newPartMemo[decoded](memoBudget)

// harnessView is the part of a decoded spec the harness reads: the
// annotations map (nil when the text has none, as decoded) and linux.devices
// with their paths only (linux nil when the text has none). TypeOf,
// SandboxOf, DevicePaths and specSummary give the same answers for the view
// as for the spec.
func harnessView(s *specs.Spec) *specs.Spec {
	if s == nil {
		return nil
	}
	v := &specs.Spec{Annotations: s.Annotations}
	if s.Linux != nil {
		v.Linux = &specs.Linux{}
		if s.Linux.Devices != nil {
			v.Linux.Devices = make([]specs.LinuxDevice, len(s.Linux.Devices))
			for i, d := range s.Linux.Devices {
				v.Linux.Devices[i].Path = d.Path
			}
		}
	}
	return v
}

// decodeShared is the harness's view of DecodeSpec of text, remembered
// (decodeSharedBytes). The view is shared: the caller must not change it.
func decodeShared(text string) (*specs.Spec, error) {
	return decodeSharedBytes([]byte(text))
}

// decodeSharedBytes is the harness's view of DecodeSpec(raw), remembered: a
// long text from the decode of the text with its long strings elided
// (elidedDecode); a text with an annotations member from the decodes of its
// parts (splitDecode); any other, or one these refuse, from the whole-text
// memo. The view is shared: the caller must not change it.
func decodeSharedBytes(raw []byte) (*specs.Spec, error) {
	if len(raw) > memoMaxText {
		if spec, ok := elidedDecode(raw); ok {
			return spec, nil
		}
	}
	if spec, ok := splitDecode(raw); ok {
		return spec, nil
	}
	return decodeWhole(sharedSpecs, raw)
}

// decodeWhole is the view of DecodeSpec(raw) m remembers, or a fresh one,
// remembered.
func decodeWhole(m *partMemo[decoded], raw []byte) (*specs.Spec, error) {
	d := m.get(raw, nil, func() decoded {
		spec, err := wholeView(raw)
		return decoded{spec, err}
	}, decodedSize)
	return d.spec, d.err
}

// wholeView is harnessView(DecodeSpec(raw)).
func wholeView(raw []byte) (*specs.Spec, error) {
	spec, err := DecodeSpec(raw)
	return harnessView(spec), err
}
