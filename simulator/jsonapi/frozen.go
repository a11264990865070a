package jsonapi

import (
	"bytes"
	"crypto/sha1"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Frozen is an object its owner promises not to change: the encoding of
// each of its members, in a marked form that is both compact and pretty
// output at once (unmark), is made the first time it is needed and written
// from after that. With adds the
// members a clock moves, as an Overlay.
//
// A collection of 10,000 sessions used to be built and encoded whole on
// every GET, twice (ETag and body). Rendered as a Frozen per session with
// its clock values laid over it, a GET builds no objects of its own and
// encodes only those few values.
//
// Wherever a tree is read rather than encoded — fields, filter, JSON
// pointers, paths, comparisons — a Frozen is the object its build function
// returns, built for each reader and not kept: a Frozen costs memory only
// for its encodings. A Frozen is safe for concurrent use.
type Frozen struct {
	build func() map[string]any

	mu sync.Mutex // held while the members are encoded
	// members is the marked encoding of the members, set once. Compact
	// and pretty output at any depth are written from it: keeping pretty
	// encodings too would triple what a frozen session costs. Read
	// without the lock: the query language reads it for every member of
	// every row it looks at.
	members atomic.Pointer[memberEncodings]
	// digests are the digests of the members overlays show (DigestOf),
	// copied on write.
	digests atomic.Pointer[[]frozenDigest]
	// pretty, when set, holds the members pretty at one depth, kept
	// while f is in the page cache (pagecache.go).
	pretty atomic.Pointer[prettyMembers]
	// selection is what the last fieldset selected of f (selectKept).
	selection atomic.Pointer[keptSelection]
	// verdict is the last filter's verdict on f's rows (keptVerdicts).
	verdict verdicts
}

// Freeze returns a Frozen whose value is what build returns; build must
// return an equal object each time it is called, which its callers only
// read.
func Freeze(build func() map[string]any) *Frozen {
	return &Frozen{build: build}
}

// Value builds the frozen object.
func (f *Frozen) Value() map[string]any { return f.build() }

// Member is one member of an object. A Value laid over a Frozen may also
// be a *float64, *int64 or *string, which stands for the value it points
// at: a renderer that keeps a row's clock values in the row's own
// allocation lays them over without boxing each (an allocation per value
// per row). Readers (Fresh, Value, the query language) see the value; the
// pointee must not change while the overlay is read.
type Member struct {
	Key   string
	Value any
}

// deref is the value a Member's Value stands for.
func deref(v any) any {
	switch x := v.(type) {
	case *float64:
		return *x
	case *int64:
		return *x
	case *string:
		return *x
	}
	return v
}

// Overlay is a Frozen object with members laid over it: added, or in
// place of the frozen member of the same key; some frozen members may be
// left out (Without).
type Overlay struct {
	base  *Frozen
	fresh []Member // sorted by key
	omit  []string // frozen members left out
	// keep, when not nil, lists the only frozen members that show (a
	// sparse fieldset's projection, made without reading the members).
	keep []string
}

// shows reports whether the frozen member key shows through o.
func (o *Overlay) shows(key string) bool {
	return !slices.Contains(o.omit, key) && (o.keep == nil || slices.Contains(o.keep, key))
}

// With returns f's object with the given members laid over it. It sorts
// fresh in place and keeps it.
func (f *Frozen) With(fresh ...Member) *Overlay {
	return f.WithIn(new(Overlay), fresh)
}

// WithIn is With made in o, which the caller allocates: a renderer that
// lays members over several Frozen objects per row allocates their
// overlays and members at once (a GET of 10,000 sessions made 70,000
// small objects).
func (f *Frozen) WithIn(o *Overlay, fresh []Member) *Overlay {
	sortMembers(fresh)
	*o = Overlay{base: f, fresh: fresh}
	return o
}

// With returns o with more members laid over it, in place of o's own of
// the same key.
func (o *Overlay) With(fresh ...Member) *Overlay {
	merged := slices.Clone(fresh)
	for _, m := range o.fresh {
		if !slices.ContainsFunc(fresh, func(n Member) bool { return n.Key == m.Key }) {
			merged = append(merged, m)
		}
	}
	sortMembers(merged)
	return &Overlay{base: o.base, fresh: merged, omit: o.omit, keep: o.keep}
}

// Without returns o without the members of the given keys, frozen or laid
// over; nothing is built or encoded.
func (o *Overlay) Without(keys ...string) *Overlay {
	fresh := slices.DeleteFunc(slices.Clone(o.fresh), func(m Member) bool { return slices.Contains(keys, m.Key) })
	return &Overlay{base: o.base, fresh: fresh, omit: append(slices.Clone(o.omit), keys...), keep: o.keep}
}

// Fresh returns the value of the member laid over o with the key.
func (o *Overlay) Fresh(key string) (any, bool) {
	for _, m := range o.fresh {
		if m.Key == key {
			return deref(m.Value), true
		}
	}
	return nil, false
}

// Value builds the object: the frozen members and the fresh ones.
func (o *Overlay) Value() map[string]any {
	base := o.base.Value()
	out := make(map[string]any, len(base)+len(o.fresh))
	for k, v := range base {
		if o.shows(k) {
			out[k] = v
		}
	}
	for _, m := range o.fresh {
		out[m.Key] = deref(m.Value)
	}
	return out
}

// sortMembers sorts ms by key. Renderers lay their members in key order
// already: that is checked without a comparison function (a sort of four
// sorted members was a sixth of a filter's peeking).
func sortMembers(ms []Member) {
	for i := 1; i < len(ms); i++ {
		if ms[i].Key < ms[i-1].Key {
			slices.SortFunc(ms, func(a, b Member) int { return strings.Compare(a.Key, b.Key) })
			return
		}
	}
}

// memberEncodings are the marked encodings (unmark) of an object's members
// in key order: member i, `"key"\nvalue` without a separating comma or the
// line break before it, is
// buf[ends[i-1]:ends[i]]. lossy lists, in order, the members whose
// encoding does not decode to their value (invalid UTF-8, NaN…): the
// query language reads those from the built object, every other member
// from its encoding. They are kept with every session twice (attributes
// and resource), so they are kept small: the key list is shared by every
// object of the same keys (internedKeys), the ends are 32-bit, and lossy
// is nil but for odd values.
type memberEncodings struct {
	keys  []string
	ends  []uint32
	lossy []int
	buf   []byte
}

func (m *memberEncodings) member(i int) []byte {
	begin := uint32(0)
	if i > 0 {
		begin = m.ends[i-1]
	}
	return m.buf[begin:m.ends[i]]
}

// isLossy reports whether member i's encoding does not give its value back.
func (m *memberEncodings) isLossy(i int) bool {
	_, found := slices.BinarySearch(m.lossy, i)
	return found
}

// markedMembers returns the marked member encodings, made on first use
// and never changed after.
func (f *Frozen) markedMembers() *memberEncodings {
	if m := f.members.Load(); m != nil {
		return m
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if m := f.members.Load(); m != nil {
		return m
	}
	m := encodeMembers(f.build())
	f.members.Store(m)
	return m
}

func encodeMembers(obj map[string]any) *memberEncodings {
	e := getEncoder(false, nil)
	e.marked = true
	e.worker = true // an object's members are small: never split them
	members := e.sortedMembers(0, obj)
	keys := make([]string, len(members))
	m := &memberEncodings{ends: make([]uint32, len(members))}
	for i, mem := range members {
		e.lossy = false
		e.str(mem.key) // the member's own line break is the object's to write
		e.colon()
		e.value(mem.value, 1)
		keys[i], m.ends[i] = mem.key, uint32(len(e.buf))
		if e.lossy {
			m.lossy = append(m.lossy, i)
		}
	}
	m.keys = internedKeys(keys)
	m.buf = slices.Clone(e.buf)
	clear(e.members[0])
	e.release()
	return m
}

// keyLists holds the key lists of frozen objects, one per set of keys: the
// sessions of a simulator show a handful of sets, and 10,000 sessions
// kept 10,000 copies of each. At most maxKeyLists are kept, so that
// objects of arbitrary keys cannot grow it without bound.
var keyLists struct {
	mu    sync.Mutex
	lists map[string][]string // keyListID → the list
}

const maxKeyLists = 256

// keyListID names a list of keys: each key after its length, so that no
// two lists share a name whatever bytes their keys hold.
func keyListID(keys []string) string {
	var b []byte
	for _, k := range keys {
		b = strconv.AppendInt(b, int64(len(k)), 10)
		b = append(b, ':')
		b = append(b, k...)
	}
	return string(b)
}

// internedKeys returns the kept list equal to keys, or keys, kept when
// there is room.
func internedKeys(keys []string) []string {
	id := keyListID(keys)
	keyLists.mu.Lock()
	defer keyLists.mu.Unlock()
	if kept, ok := keyLists.lists[id]; ok {
		return kept
	}
	if keyLists.lists == nil {
		keyLists.lists = map[string][]string{}
	}
	if len(keyLists.lists) < maxKeyLists {
		keyLists.lists[id] = keys
	}
	return keys
}

// overlay writes the frozen object base, from its kept member encodings,
// merged with the fresh members (sorted by key), which win over frozen
// members of the same key, showing only the frozen members o shows.
func (e *encoder) overlay(o *Overlay, depth int) {
	if e.digest {
		e.overlayDigest(o, depth)
		return
	}
	frozen, fresh := o.base.markedMembers(), o.fresh
	var pretty *prettyMembers
	if e.pretty {
		pretty = o.base.prettyMembers(depth, e.page)
	}
	n := 0
	for i, j := 0, 0; i < len(frozen.keys) || j < len(fresh); {
		if j < len(fresh) && (i == len(frozen.keys) || fresh[j].Key <= frozen.keys[i]) {
			if i < len(frozen.keys) && fresh[j].Key == frozen.keys[i] {
				i++ // replaced
			}
			e.openMember(n, fresh[j].Key, depth)
			e.value(fresh[j].Value, depth+1)
			j++
			n++
			continue
		}
		if o.shows(frozen.keys[i]) {
			e.separate(n)
			if pretty != nil {
				e.buf = append(e.buf, pretty.member(i)...)
			} else {
				e.newline(depth + 1)
				e.unmark(frozen.member(i), depth+1)
			}
			n++
		}
		i++
	}
	e.closeObject(depth, n)
}

// stringEnd returns the index after the closing quote of the JSON string
// that opens at start.
func stringEnd(b []byte, start int) int {
	for i := start + 1; ; {
		q := bytes.IndexByte(b[i:], '"')
		i += q
		backslashes := 0
		for k := i - 1; b[k] == '\\'; k-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return i + 1
		}
		i++
	}
}

// overlayDigest writes o for DigestOf: its fresh members as compact JSON,
// then a NUL byte (which JSON text never holds) and the digest of the
// frozen members it shows, kept with the Frozen.
func (e *encoder) overlayDigest(o *Overlay, depth int) {
	for i, m := range o.fresh {
		e.openMember(i, m.Key, depth)
		e.value(m.Value, depth+1)
	}
	if len(o.fresh) == 0 {
		e.buf = append(e.buf, '{')
	}
	d := o.base.shownDigest(o)
	e.buf = append(e.buf, 0)
	e.buf = append(e.buf, d[:]...)
	e.buf = append(e.buf, '}')
	e.maybeFlush()
}

// frozenDigest is the SHA-1 of the marked encodings of the frozen
// members an overlay with these omit and keep lists shows.
type frozenDigest struct {
	omit, keep []string
	sum        [sha1.Size]byte
}

// shownDigest returns the digest of the frozen members o shows, made once
// per omit and keep lists (a Frozen is shown whole or by one or two
// fieldsets: the list stays short).
func (f *Frozen) shownDigest(o *Overlay) [sha1.Size]byte {
	if ds := f.digests.Load(); ds != nil {
		for _, d := range *ds {
			if slices.Equal(d.omit, o.omit) && slices.Equal(d.keep, o.keep) && (d.keep == nil) == (o.keep == nil) {
				return d.sum
			}
		}
	}
	m := f.markedMembers()
	h := sha1.New()
	for i, k := range m.keys {
		if o.shows(k) {
			h.Write(m.member(i))
			h.Write([]byte{','})
		}
	}
	d := frozenDigest{omit: slices.Clone(o.omit), keep: slices.Clone(o.keep)}
	h.Sum(d.sum[:0])
	f.mu.Lock()
	defer f.mu.Unlock()
	var next []frozenDigest
	if ds := f.digests.Load(); ds != nil {
		next = slices.Clone(*ds)
	}
	next = append(next, d)
	f.digests.Store(&next)
	return d.sum
}
