package annotations

import (
	"hash/maphash"
	"sync/atomic"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The harness reads each create's config.json (containerd's routing and the
// oracle) and decodes what the shim writes out (the round trip check).
// Campaigns draw the same few thousand texts over and over, so the harness
// decodes each text with DecodeSpec once and shares the result: decoding is
// a pure function of the text, so the remembered answer is the answer. The
// shim under test always decodes its own copy, as a runtime does.
//
// The memo is a fixed table of slots, each remembering its last text, safe
// for concurrent campaign workers, and bounded in memory: texts above
// memoMaxText are not remembered, nor any once memoBudget bytes are held.
const (
	memoSlots   = 4096
	memoMaxText = 64 << 10
	memoBudget  = 64 << 20
)

// memoEntry is one remembered decode. It is never changed once made.
type memoEntry struct {
	text string
	spec *specs.Spec
	err  error
}

// specMemo is the table; the zero value is not usable, see newSpecMemo.
type specMemo struct {
	seed  maphash.Seed
	slots [memoSlots]atomic.Pointer[memoEntry]
	held  atomic.Int64 // bytes of text held, counted twice for the decoded spec
}

func newSpecMemo() *specMemo { return &specMemo{seed: maphash.MakeSeed()} }

// sharedSpecs is the process's memo.
var sharedSpecs = newSpecMemo()

// decodeShared is DecodeSpec of text, remembered. The spec is shared: the
// caller must not change it.
func decodeShared(text string) (*specs.Spec, error) {
	slot := sharedSpecs.slot(maphash.String(sharedSpecs.seed, text))
	if e := slot.Load(); e != nil && e.text == text {
		return e.spec, e.err
	}
	spec, err := DecodeSpec([]byte(text))
	sharedSpecs.remember(slot, &memoEntry{text: text, spec: spec, err: err})
	return spec, err
}

// decodeSharedBytes is decodeShared for a text held as bytes.
func decodeSharedBytes(raw []byte) (*specs.Spec, error) {
	slot := sharedSpecs.slot(maphash.Bytes(sharedSpecs.seed, raw))
	if e := slot.Load(); e != nil && e.text == string(raw) {
		return e.spec, e.err
	}
	spec, err := DecodeSpec(raw)
	sharedSpecs.remember(slot, &memoEntry{text: string(raw), spec: spec, err: err})
	return spec, err
}

func (m *specMemo) slot(hash uint64) *atomic.Pointer[memoEntry] {
	return &m.slots[hash%memoSlots]
}

// remember puts e in slot, replacing what it held, unless e's text is too
// long or the memo holds its budget already.
func (m *specMemo) remember(slot *atomic.Pointer[memoEntry], e *memoEntry) {
	size := 2 * int64(len(e.text))
	if len(e.text) > memoMaxText || m.held.Load()+size > memoBudget {
		return
	}
	if old := slot.Swap(e); old != nil {
		size -= 2 * int64(len(old.text))
	}
	m.held.Add(size)
}
