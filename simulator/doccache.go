package simulator

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/s2"

	"github.com/mxharness/mxharness/simulator/jsonapi"
	"github.com/mxharness/mxharness/simulator/recent"
	"github.com/mxharness/mxharness/simulator/session"
)

// clockMembers are the members of a session's attributes that are laid
// over its frozen parts on every read (resourceIn): what the clock moves,
// and remote, which ?rdns may change. Their order is clockValues.member's.
var clockMembers = []string{"idle", "io_activity", "remote", "seconds_alive"}

// keptRows is the most rows of a body that shows the clock's members kept
// the first time it is made: a page, or a small collection (~0.8 MB at
// 256 sessions). A larger one is kept the second time its key is asked
// for (seenOnce marks the first), when a client polls it, and never beyond
// keptMostRows, whose body is encoded whole to be kept (60 MB): a server
// whose sessions change between GETs streams them as before, paying
// nothing for bodies no one asks for again.
const (
	keptRows     = 256
	keptMostRows = 20000
)

// keptKey returns the key under which the body of a GET of the view's
// collection is kept (Server.docs), or "" when it is not kept. Such a
// body depends on nothing but the registry's version (which moves with
// every change a row can show, collectionTag), the link base, the query
// and the clock's members of its rows:
//
//   - a sparse fieldset that selects none of the clock's members shows
//     none of them: a client that polls the list with fields[sessions]
//     (MaxGUI, on every refresh) is answered from the bytes kept for its
//     query until a session changes;
//   - without a fieldset, each row shows them where its resource lays them
//     over its frozen parts, so a page (a GUI polls its first one) is kept
//     with those places as holes and written again with the clock's values
//     of the moment (keptBody.fill). Rows shaped by a fieldset may hold
//     the clock's values as plain values, so these are the whole rows.
//
// Filters are left out: their verdicts may read the clock's members, and
// then the rows they keep move with the clock.
//
// clockFree reports the first kind, whose body has no holes.
//
// rows is how many rows the body shows.
func keptKey(v session.View, q *request) (key string, clockFree bool, rows int) {
	if q.r.Method != http.MethodGet || slices.ContainsFunc(q.query.Keys(), isFilterKey) {
		return "", false, 0
	}
	rows = v.Len()
	if size, paged := q.query.PageSize(); paged {
		rows = int(min(int64(rows), size))
	}
	clockFree = q.query.FieldsAvoid("sessions", clockMembers)
	if !clockFree && (rows > keptMostRows || slices.ContainsFunc(q.query.Keys(), isFieldsKey)) {
		return "", false, 0
	}
	return collectionKey(v, q.base) + "?" + q.r.URL.RawQuery, clockFree, rows
}

// collectionKey names the rows of the view's collection under a link base:
// equal names, equal rows (the version moves with every change a row can
// show), for what is kept of them (keptKey, Rows.Remembered).
func collectionKey(v session.View, base string) string {
	return strconv.FormatUint(v.Version, 10) + " " + base
}

func isFieldsKey(key string) bool { return strings.HasPrefix(key, "fields[") }

// keptDocs and keptDocBytes bound the bodies kept (Server.docs): a few
// clients polling with different fieldsets and pages, and the 3 MB of
// fields[sessions]=user,state over 10,000 sessions twice over (0.4 KiB a
// session at 20,000).
const (
	keptDocs     = 4
	keptDocBytes = 8 << 20
)

// newDocCache returns the list of kept bodies, by keptKey. Bodies of older
// versions are never asked for again and leave as newer ones come in.
func newDocCache() *recent.List[string, *keptBody] {
	return recent.New[string](keptDocs, keptDocBytes, (*keptBody).size)
}

// keptBody is the body of a collection GET, kept (keptKey): sent as it is
// when whole, else the blocks of its bytes but those of the clock's
// values, with the places (holes) where they go. A body of more than
// streamFrom bytes is held in blocks of keptBlockSize bytes packed with
// S2, and streamed: a GET of 10,000 sessions (28 MB) is then ~40 B a
// session, unpacked in less time than copying it takes, since a block is
// read from cache. A smaller one is one block, as it is.
type keptBody struct {
	whole  []byte
	packed bool
	blocks []keptBlock
}

// seenOnce is kept under the key of a body too large to keep the first
// time it is asked for: a second GET of the same version keeps it.
var seenOnce = new(keptBody)

// keptView is a kept body and the view whose clock's values fill it.
type keptView struct {
	*keptBody
	view session.View
}

type keptBlock struct {
	data  []byte // S2-packed when the body is packed
	holes []keptHole
}

// keptHole is where a block shows a clock's member of a session: the
// value goes before data's byte at (decoded).
type keptHole struct {
	at     int32
	index  int32 // the session's, in the view
	member uint8 // in clockMembers
}

// keptBlockSize is the size of a packed block's bytes: a few rows of a
// large collection, unpacked into a buffer that stays in the core's cache
// while its holes are filled.
const keptBlockSize = 256 << 10

func (k *keptBody) size() int {
	n := len(k.whole)
	for _, b := range k.blocks {
		n += len(b.data) + len(b.holes)*12
	}
	return n
}

// add appends a block of data and its holes, packed into scratch first
// when k is (S2 packs into a buffer of the most it may take: the block
// keeps a copy cut to its length, and data is reused for the next one).
func (k *keptBody) add(data []byte, holes []keptHole, scratch *[]byte) {
	if k.packed {
		*scratch = s2.Encode((*scratch)[:cap(*scratch)], data)
		data = slices.Clone(*scratch)
	}
	k.blocks = append(k.blocks, keptBlock{data: data, holes: holes})
}

// fill appends to dst the body with the clock's values of its rows at the
// view's instant: the body a rendering of the view gives, since the view
// is of the version the body was kept for. Each row's clock is read once,
// at its first hole (the holes are in the rows' order). With flush (a
// packed body, streamed), dst is handed to flush each time it holds
// keptBlockSize bytes or more, and filling goes on in what flush returns.
func (k *keptBody) fill(dst []byte, v session.View, flush func([]byte) ([]byte, error)) ([]byte, error) {
	var unpacked *[]byte
	if k.packed {
		unpacked = heldBodies.Get().(*[]byte)
		defer heldBodies.Put(unpacked)
	} else {
		// One block: room for it and values up to 24 bytes (the longest
		// real, -d.ddddddddddddddddde-ddd), so that a fresh buffer is
		// allocated once.
		dst = slices.Grow(dst, len(k.blocks[0].data)+24*len(k.blocks[0].holes))
	}
	at, clock := int32(-1), clockValues{}
	for _, b := range k.blocks {
		data := b.data
		if k.packed {
			var err error
			if data, err = s2.Decode((*unpacked)[:cap(*unpacked)], b.data); err != nil {
				return dst, fmt.Errorf("unpacking a kept body: %w", err)
			}
			*unpacked = data
		}
		from := int32(0)
		for _, h := range b.holes {
			dst = append(dst, data[from:h.at]...)
			if h.index != at {
				c := v.Clock(int(h.index))
				at, clock = h.index, clockValues{idle: c.Idle, secondsAlive: c.SecondsAlive, ioActivity: int64(c.IOActivity)}
			}
			dst, from = clock.appendMember(dst, int(h.member)), h.at
		}
		dst = append(dst, data[from:]...)
		if flush != nil && len(dst) >= keptBlockSize {
			var err error
			if dst, err = flush(dst); err != nil {
				return dst, err
			}
		}
	}
	return dst, nil
}

// madeRows collects the rows a collection GET made, by their index in its
// view: what the holes of its body (jsonapi.MarshalHoles) are found in.
// Rows are made from more than one goroutine (jsonapi encodes large
// arrays in parallel).
type madeRows struct {
	// clockFree: a fieldset leaves the clock's members out of the rows
	// (keptKey), so the body has no holes and its rows are not collected.
	clockFree bool
	mu        sync.Mutex
	rows      []madeRow
}

type madeRow struct {
	index int
	row   *resourceRow
}

func (m *madeRows) add(index int, row *resourceRow) {
	if m.clockFree {
		return // 10,000 rows of a fieldset, for nothing
	}
	m.mu.Lock()
	m.rows = append(m.rows, madeRow{index, row})
	m.mu.Unlock()
}

// keep returns the body to keep of a document encoded from these rows, or
// nil when its holes are not exactly the clock's members of the rows, in
// the rows' order, each row's in clockMembers' order (none, for a
// clock-free fieldset): a value written in a way the rows do not account
// for would be kept stale.
func (m *madeRows) keep(body []byte, holes []jsonapi.Hole) *keptBody {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.clockFree || len(m.rows) == 0 {
		if len(holes) > 0 {
			return nil
		}
		return &keptBody{whole: body}
	}
	slices.SortFunc(m.rows, func(a, b madeRow) int { return cmp.Compare(a.index, b.index) })
	want := 0
	for _, r := range m.rows {
		want += r.row.shown
	}
	if want != len(holes) {
		return nil
	}
	k := &keptBody{packed: len(body) > streamFrom}
	// The bytes of a block (body[from:] less its holes') in a buffer of
	// their size: a page is kept after every change, and growing its copy
	// cost more than encoding it. A packed body's blocks reuse one.
	room := len(body)
	if k.packed {
		room = keptBlockSize + keptBlockSize/4
	}
	var holesOf []keptHole
	data, from, scratch := make([]byte, 0, room), 0, []byte(nil)
	row, last := 0, -1
	for _, h := range holes {
		member := -1
		for ; row < len(m.rows); row, last = row+1, -1 {
			if member = m.rows[row].row.values.memberOf(h.Value); member >= 0 {
				break
			}
		}
		if member <= last { // past the last row, or out of the row's order
			return nil
		}
		last = member
		if member == remoteMember {
			continue // stays as written: the clock does not move it
		}
		data = append(data, body[from:h.Start]...)
		from = h.End
		holesOf = append(holesOf, keptHole{at: int32(len(data)), index: int32(m.rows[row].index), member: uint8(member)})
		if k.packed && len(data) >= keptBlockSize {
			k.add(data, holesOf, &scratch)
			data, holesOf = data[:0], nil
		}
	}
	k.add(append(data, body[from:]...), holesOf, &scratch)
	return k
}
