package annotations

import (
	"encoding/json"
	"hash/maphash"
	"sync/atomic"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A text the whole-text memo (sharedSpecs) has not seen is most often one it
// has seen in parts: the same annotations with another cgroup path, the
// same devices with another sandbox's annotations, the spec a shim writes
// out with the container's keys added. So a miss is decoded in two parts,
// each remembered by its exact bytes: the value of the top-level member
// written "annotations", decoded alone into a map as the spec's decode
// would, and the rest of the text, decoded whole with that value replaced
// by {}. The parts stand for the whole when both decode, the value to a map
// (not null), and the rest to an empty map of annotations. Then the rest is
// valid JSON, so the scan that found the value read the text as the decoder
// does, and the value sits where the decoder takes the spec's annotations
// from; no other member adds to them ({} would not be alone in the map, a
// later null would leave none); and the whole text is valid, since a valid
// value replaces another, and decodes to the rest's spec with the value's
// map. Anything else, every error included, is decoded whole, so an error
// reads as DecodeSpec's. TestSplitDecodeIsDecodeSpec compares the two on
// drawn texts, the specs shims write out, and texts made to defeat the
// split.
//
// A part memo with four times the slots halved the rest memo's decodes in
// a 2 s bench and changed neither its scenarios per CPU second nor those
// of a 20 s campaign: most rests are drawn again within a few thousand
// scenarios, the rest seldom.
const (
	partSlots  = 4096
	partBudget = 6 << 20 // bytes per part memo
)

// restView is what the rest of a text decodes to: ok when it decodes to an
// empty map of annotations, and the harness's view of its linux member.
type restView struct {
	ok    bool
	linux *specs.Linux
}

// memberView is the annotations value decoded alone: ok when it decodes
// to a map (null decodes to none).
type memberView struct {
	ok  bool
	ann map[string]string
}

// partEntry is one remembered part: the bytes before and after the value
// (a rest), or the value with after empty. It is never changed once made.
type partEntry[V any] struct {
	before, after string
	view          V
	size          int64
}

// partMemo is a fixed table of slots, each remembering its last entry:
// safe for concurrent campaign workers without a lock, bounded by its
// budget in bytes, keys longer than memoMaxText not remembered. A hit and
// a miss return equal views, so no trace depends on what was remembered.
// The zero value is not usable: see newPartMemo.
type partMemo[V any] struct {
	seed   maphash.Seed
	budget int64
	slots  [partSlots]atomic.Pointer[partEntry[V]]
	held   atomic.Int64
}

func newPartMemo[V any](budget int64) *partMemo[V] {
	return &partMemo[V]{seed: maphash.MakeSeed(), budget: budget}
}

// The process's part memos, emptied by the model's Idle.
var (
	sharedRests   = newPartMemo[restView](partBudget)
	sharedMembers = newPartMemo[memberView](partBudget)
)

// slot is the slot of the key (before, after).
func (m *partMemo[V]) slot(before, after []byte) *atomic.Pointer[partEntry[V]] {
	h := maphash.Bytes(m.seed, before) ^ 31*maphash.Bytes(m.seed, after)
	return &m.slots[h%partSlots]
}

// get returns the view remembered for (before, after), or makes it with
// decode and remembers it; size estimates the bytes a view holds.
func (m *partMemo[V]) get(before, after []byte, decode func() V, size func(V) int64) V {
	slot := m.slot(before, after)
	if e := slot.Load(); e != nil && e.before == string(before) && e.after == string(after) {
		return e.view
	}
	v := decode()
	if len(before)+len(after) > memoMaxText {
		return v
	}
	e := &partEntry[V]{before: string(before), after: string(after), view: v}
	e.size = int64(len(before)+len(after)) + 128 + size(v)
	grow := e.size
	if old := slot.Load(); old != nil {
		grow -= old.size // replacing it frees its bytes
	}
	if m.held.Load()+grow > m.budget {
		return v
	}
	if old := slot.Swap(e); old != nil {
		m.held.Add(-old.size)
	}
	m.held.Add(e.size)
	return v
}

// forget empties the memo.
func (m *partMemo[V]) forget() {
	for i := range m.slots {
		if old := m.slots[i].Swap(nil); old != nil {
			m.held.Add(-old.size)
		}
	}
}

// splitDecode is the harness's view of DecodeSpec(raw) made from the
// decodes of its two parts, and true; or false when the parts do not
// stand for the whole, or the text does not decode (decode it whole).
func splitDecode(raw []byte) (*specs.Spec, bool) {
	start, end, ok := annotationsMember(raw)
	if !ok {
		return nil, false
	}
	before, value, after := raw[:start], raw[start:end], raw[end:]
	if len(before)+len(after) > memoMaxText {
		return nil, false // one decode of a long rest costs less than two
	}
	rest := sharedRests.get(before, after, func() restView { return decodeRest(before, after) }, restSize)
	if !rest.ok {
		return nil, false
	}
	member := sharedMembers.get(value, nil, func() memberView { return decodeMember(value) }, memberSize)
	if !member.ok {
		return nil, false
	}
	return &specs.Spec{Annotations: member.ann, Linux: rest.linux}, true
}

// decodeRest decodes before+{}+after: ok when it decodes to an empty
// annotations map.
func decodeRest(before, after []byte) restView {
	text := make([]byte, 0, len(before)+len("{}")+len(after))
	spec, err := DecodeSpec(append(append(append(text, before...), "{}"...), after...))
	if err != nil || spec.Annotations == nil || len(spec.Annotations) != 0 {
		return restView{}
	}
	return restView{ok: true, linux: harnessView(spec).Linux}
}

// decodeMember decodes an annotations value alone.
func decodeMember(value []byte) memberView {
	var ann map[string]string
	if err := json.Unmarshal(value, &ann); err != nil || ann == nil {
		return memberView{}
	}
	return memberView{ok: true, ann: ann}
}

func restSize(v restView) int64 {
	n := int64(64)
	if v.linux != nil {
		for _, d := range v.linux.Devices {
			n += int64(len(d.Path)) + 96
		}
	}
	return n
}

func memberSize(v memberView) int64 {
	n := int64(64)
	for k, x := range v.ann {
		n += int64(len(k)+len(x)) + 64
	}
	return n
}
