package jsonapi

import (
	"sync"
)

// The pretty encodings of the frozen objects of pages. A page of 100
// sessions spent a third of its time indenting their kept compact
// encodings, and clients ask for the same pages again and again (a GUI
// polls its first page). Keeping pretty encodings with every frozen
// session would add ~3 KiB to each; instead the encoder keeps them for the
// rows of small arrays only (pages and small collections, at most
// pageRows elements), up to pageCacheBytes in all, dropping the oldest
// first. A larger collection is indented as it is written: its rows would
// only push the pages out. pageRows sessions take about a third of the
// cache: at 1,000, a filter that kept 800 rows (2.6 MB) pushed out what it
// had just kept, on every GET, and built their encodings again.
const (
	pageRows       = 256
	pageCacheBytes = 2 << 20
)

// prettyMembers are the pretty encodings of a Frozen's members at one
// depth: member i, with its line break and indentation but without the
// separator before it, is buf[ends[i-1]:ends[i]].
type prettyMembers struct {
	depth int
	ends  []int
	buf   []byte
}

func (p *prettyMembers) member(i int) []byte {
	begin := 0
	if i > 0 {
		begin = p.ends[i-1]
	}
	return p.buf[begin:p.ends[i]]
}

// pageCache is the set of Frozen objects that hold pretty encodings, in
// the order they got them.
var pageCache struct {
	mu    sync.Mutex
	fifo  []*Frozen
	bytes int
}

// prettyMembers returns f's members pretty at depth: kept ones, or made
// and kept when keep is set. It returns nil when they are neither kept
// nor to be kept.
func (f *Frozen) prettyMembers(depth int, keep bool) *prettyMembers {
	if p := f.pretty.Load(); p != nil && p.depth == depth {
		return p
	}
	if !keep {
		return nil
	}
	m := f.markedMembers()
	e := getEncoder(true, nil)
	p := &prettyMembers{depth: depth, ends: make([]int, len(m.keys))}
	for i := range m.keys {
		e.newline(depth + 1)
		e.unmark(m.member(i), depth+1)
		p.ends[i] = len(e.buf)
	}
	p.buf = append([]byte(nil), e.buf...)
	e.release()
	if len(p.buf) > pageCacheBytes/16 {
		return p // too large to keep; still good for this once
	}
	pageCache.mu.Lock()
	defer pageCache.mu.Unlock()
	if old := f.pretty.Swap(p); old != nil {
		pageCache.bytes -= len(old.buf)
	} else {
		pageCache.fifo = append(pageCache.fifo, f)
	}
	pageCache.bytes += len(p.buf)
	for pageCache.bytes > pageCacheBytes {
		oldest := pageCache.fifo[0]
		pageCache.fifo[0] = nil
		pageCache.fifo = pageCache.fifo[1:]
		if old := oldest.pretty.Swap(nil); old != nil {
			pageCache.bytes -= len(old.buf)
		}
	}
	return p
}
