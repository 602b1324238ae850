package annotations

import (
	"hash/maphash"
	"sync/atomic"

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
// The memo is a fixed table of slots, each remembering its last text, safe
// for concurrent campaign workers without a lock, and bounded in memory:
// texts above memoMaxText are not remembered, nor any once memoBudget bytes
// are held (about 2 KiB an entry: the text and its view; 8 MiB when every
// slot is full). A long text is a short one with a map fault's long value
// (about 17 KiB): it reaches the memos with the value elided. A hit and a
// miss return equal views, so no trace depends on what was remembered.
const (
	memoSlots   = 4096
	memoMaxText = 4 << 10
	memoBudget  = 12 << 20
)

// memoEntry is one remembered decode. It is never changed once made.
type memoEntry struct {
	text string
	spec *specs.Spec // harnessView of the decode
	err  error
}

// specMemo is the table; the zero value is not usable, see newSpecMemo.
type specMemo struct {
	seed  maphash.Seed
	slots [memoSlots]atomic.Pointer[memoEntry]
	held  atomic.Int64 // bytes held, as entrySize counts them
}

// entrySize estimates the bytes an entry holds: its text, and its view's
// objects (the spec, map entries and strings, device entries).
func entrySize(e *memoEntry) int64 {
	n := int64(len(e.text)) + 512
	if e.spec != nil {
		for k, v := range e.spec.Annotations {
			n += int64(len(k)+len(v)) + 64
		}
		if e.spec.Linux != nil {
			for _, d := range e.spec.Linux.Devices {
				n += int64(len(d.Path)) + 96
			}
		}
	}
	return n
}

func newSpecMemo() *specMemo { return &specMemo{seed: maphash.MakeSeed()} }

// sharedSpecs is the process's memo.
var sharedSpecs = newSpecMemo()

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
	return sharedSpecs.decodeBytes(raw)
}

func (m *specMemo) decodeBytes(raw []byte) (*specs.Spec, error) {
	slot := m.slot(maphash.Bytes(m.seed, raw))
	if e := slot.Load(); e != nil && e.text == string(raw) {
		return e.spec, e.err
	}
	spec, err := wholeView(raw)
	e := &memoEntry{spec: spec, err: err}
	if len(raw) <= memoMaxText {
		e.text = string(raw) // copied only when it may be remembered
	}
	m.remember(slot, e)
	return e.spec, e.err
}

// wholeView is harnessView(DecodeSpec(raw)).
func wholeView(raw []byte) (*specs.Spec, error) {
	spec, err := DecodeSpec(raw)
	return harnessView(spec), err
}

func (m *specMemo) slot(hash uint64) *atomic.Pointer[memoEntry] {
	return &m.slots[hash%memoSlots]
}

// remember puts e in slot, replacing what it held, unless e's text is too
// long (or was not kept) or the memo holds its budget already.
func (m *specMemo) remember(slot *atomic.Pointer[memoEntry], e *memoEntry) {
	if e.text == "" || len(e.text) > memoMaxText {
		return
	}
	size := entrySize(e)
	if m.held.Load()+size > memoBudget {
		return
	}
	if old := slot.Swap(e); old != nil {
		size -= entrySize(old)
	}
	m.held.Add(size)
}
