package netfilter

import (
	"sync"
	"sync/atomic"

	"sigs.k8s.io/knftables"
)

// parsedNFT holds the rules parseNFTRule has parsed, by text, for every
// node: a rule's parts depend on its text alone and are never written
// after parsing. At most maxParsedNFT texts are kept.
var (
	parsedNFT      sync.Map // string -> nftRule
	parsedNFTCount atomic.Int64
)

const maxParsedNFT = 4096

// parsedNFTRule is parseNFTRule(text), parsed once per text.
func parsedNFTRule(text string) nftRule {
	if r, ok := parsedNFT.Load(text); ok {
		return r.(nftRule)
	}
	r := parseNFTRule(text)
	if parsedNFTCount.Load() < maxParsedNFT {
		if _, loaded := parsedNFT.LoadOrStore(text, r); !loaded {
			parsedNFTCount.Add(1)
		}
	}
	return r
}

// nftIndexMemo keeps, per nftables map and set, the index last built and
// the element texts it was built from. A transaction copies a table but
// most of its maps and sets keep their elements: an index is reused when
// the elements' keys and values are the same strings in the same order,
// compared each time, so a change made any way (a transaction, or writing
// to the state directly) is never missed.
type nftIndexMemo struct {
	maps map[memoKey]*mapMemo
	sets map[memoKey]*setMemo
}

type memoKey struct{ table, name string }

// elemTexts is the texts of a list of elements: every element's key parts
// then its value parts, flattened, with the part counts per element.
type elemTexts struct {
	texts  []string
	counts [][2]int
}

type mapMemo struct {
	src elemTexts
	idx []nftElement
}

type setMemo struct {
	src elemTexts
	idx map[nftKey]bool
}

// same reports whether es has exactly the texts of s.
func (s *elemTexts) same(es []*knftables.Element) bool {
	if len(es) != len(s.counts) {
		return false
	}
	j := 0
	for i, e := range es {
		if len(e.Key) != s.counts[i][0] || len(e.Value) != s.counts[i][1] {
			return false
		}
		for _, p := range e.Key {
			if p != s.texts[j] {
				return false
			}
			j++
		}
		for _, p := range e.Value {
			if p != s.texts[j] {
				return false
			}
			j++
		}
	}
	return true
}

func textsOf(es []*knftables.Element) elemTexts {
	n := 0
	for _, e := range es {
		n += len(e.Key) + len(e.Value)
	}
	s := elemTexts{texts: make([]string, 0, n), counts: make([][2]int, len(es))}
	for i, e := range es {
		s.texts = append(s.texts, e.Key...)
		s.texts = append(s.texts, e.Value...)
		s.counts[i] = [2]int{len(e.Key), len(e.Value)}
	}
	return s
}

// mapIndex is the index of the elements of map name of table, reused when
// they are unchanged since the last call for it.
func (m *nftIndexMemo) mapIndex(table, name string, es []*knftables.Element) []nftElement {
	k := memoKey{table, name}
	if mm := m.maps[k]; mm != nil && mm.src.same(es) {
		return mm.idx
	}
	idx := make([]nftElement, 0, len(es))
	for _, e := range es {
		if k, ok := elementKey(e.Key); ok {
			idx = append(idx, nftElement{k, parseTarget(name, e)})
		}
	}
	if m.maps == nil {
		m.maps = map[memoKey]*mapMemo{}
	}
	m.maps[k] = &mapMemo{src: textsOf(es), idx: idx}
	return idx
}

// setIndex is mapIndex for set name.
func (m *nftIndexMemo) setIndex(table, name string, es []*knftables.Element) map[nftKey]bool {
	k := memoKey{table, name}
	if sm := m.sets[k]; sm != nil && sm.src.same(es) {
		return sm.idx
	}
	idx := make(map[nftKey]bool, len(es))
	for _, e := range es {
		if k, ok := elementKey(e.Key); ok {
			idx[k] = true
		}
	}
	if m.sets == nil {
		m.sets = map[memoKey]*setMemo{}
	}
	m.sets[k] = &setMemo{src: textsOf(es), idx: idx}
	return idx
}
