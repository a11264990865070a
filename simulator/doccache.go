package simulator

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/mxharness/mxharness/simulator/jsonapi"
	"github.com/mxharness/mxharness/simulator/recent"
	"github.com/mxharness/mxharness/simulator/session"
)

// clockMembers are the members of a session's attributes that are laid
// over its frozen parts on every read (resourceIn): what the clock moves,
// and remote, which ?rdns may change. Their order is clockValues.member's.
var clockMembers = []string{"idle", "io_activity", "remote", "seconds_alive"}

// keptRows is the most rows a kept body that shows the clock's members
// may hold: a page, or a small collection (~0.8 MB at 256 sessions).
const keptRows = 256

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
func keptKey(v session.View, q *request) (key string, clockFree bool) {
	if q.r.Method != http.MethodGet || slices.ContainsFunc(q.query.Keys(), isFilterKey) {
		return "", false
	}
	clockFree = q.query.FieldsAvoid("sessions", clockMembers)
	if !clockFree {
		rows := int64(v.Len())
		if size, paged := q.query.PageSize(); paged {
			rows = min(rows, size)
		}
		if rows > keptRows || slices.ContainsFunc(q.query.Keys(), isFieldsKey) {
			return "", false
		}
	}
	return collectionKey(v, q.base) + "?" + q.r.URL.RawQuery, clockFree
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

// keptBody is the body of a collection GET, kept (keptKey): its bytes,
// and for each hole (jsonapi.Hole) the session and the member of the
// clock it shows. A body without holes (nil) is sent as it is.
type keptBody struct {
	body  []byte
	holes []jsonapi.Hole // without their Values
	refs  []holeRef      // what hole i shows
}

type holeRef struct {
	index  int // the session's, in the view
	member int // in clockMembers
}

func (k *keptBody) size() int {
	return len(k.body) + len(k.holes)*48
}

// fill appends to dst the body with the clock's values of its rows at the
// view's instant: the body a rendering of the view gives, since the view
// is of the version the body was kept for. Each row's clock is read once,
// when its first hole is filled (the holes are in the rows' order).
func (k *keptBody) fill(dst []byte, v session.View) []byte {
	// Room for the body and values up to 24 bytes (the longest real,
	// -d.ddddddddddddddddde-ddd), so that a fresh buffer is allocated once.
	dst = slices.Grow(dst, len(k.body)+24*len(k.holes))
	at, clock := -1, clockValues{}
	return jsonapi.Fill(dst, k.body, k.holes, func(dst []byte, i int) []byte {
		if ref := k.refs[i]; ref.index != at {
			c := v.Clock(ref.index)
			at, clock = ref.index, clockValues{idle: c.Idle, secondsAlive: c.SecondsAlive, ioActivity: int64(c.IOActivity)}
		}
		return clock.appendMember(dst, k.refs[i].member)
	})
}

// madeRows collects the rows a collection GET made, by their index in its
// view: what the holes of its body (jsonapi.MarshalHoles) are found in.
// Rows are made from more than one goroutine (jsonapi encodes large
// arrays in parallel).
type madeRows struct {
	view session.View
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
		return &keptBody{body: body}
	}
	slices.SortFunc(m.rows, func(a, b madeRow) int { return cmp.Compare(a.index, b.index) })
	want := 0
	for _, r := range m.rows {
		want += r.row.shown
	}
	if want != len(holes) {
		return nil
	}
	k := &keptBody{body: body}
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
		k.holes = append(k.holes, jsonapi.Hole{Start: h.Start, End: h.End})
		k.refs = append(k.refs, holeRef{index: m.rows[row].index, member: member})
	}
	return k
}
