package simulator

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"

	"github.com/mxharness/mxharness/simulator/recent"
	"github.com/mxharness/mxharness/simulator/session"
)

// clockMembers are the members of a session's attributes that are laid
// over its frozen parts on every read (resourceIn): what the clock moves,
// and remote, which ?rdns may change.
var clockMembers = []string{"idle", "io_activity", "remote", "seconds_alive"}

// clockFreeKey returns the key under which the body of a GET of the view's
// collection is kept (Server.docs), or "" when the body may depend on the
// clock. A body depends on nothing but the sessions' kept states when its
// sparse fieldset selects none of the clock's members and no filter reads
// them: then the body is a function of the registry's version (which moves
// with every change a row can show, collectionTag), the link base and the
// query, and a client that polls the list with fields[sessions] (MaxGUI,
// on every refresh) is answered from the bytes kept for its query until a
// session changes. Filters are left out: the bytes of the rows they keep
// hold the clock's members unless a fieldset trims them, and their
// verdicts may read them.
func clockFreeKey(v session.View, q *request) string {
	if q.r.Method != http.MethodGet || !q.query.FieldsAvoid("sessions", clockMembers) ||
		slices.ContainsFunc(q.query.Keys(), isFilterKey) {
		return ""
	}
	return strconv.FormatUint(v.Version, 10) + " " + q.base + "?" + q.r.URL.RawQuery
}

// keptDocs and keptDocBytes bound the bodies kept for clock-free GETs
// (Server.docs): a few clients polling with different fieldsets, and the
// 3 MB of fields[sessions]=user,state over 10,000 sessions twice over
// (0.4 KiB a session at 20,000).
const (
	keptDocs     = 4
	keptDocBytes = 8 << 20
)

// newDocCache returns the list of the bodies of clock-free collection GETs,
// by clockFreeKey. Bodies of older versions are never asked for again and
// leave as newer ones come in.
func newDocCache() *recent.List[string, []byte] {
	return recent.New[string](keptDocs, keptDocBytes, func(body []byte) int { return len(body) })
}

// bodyCopy is an io.Writer that keeps a copy of what a reply wrote, up to
// keptDocBytes: the body of a clock-free document is streamed to its
// client and kept (Server.docs) in one pass. The writes are copied as they
// come and joined once, into a body of its own length: a slice grown by
// append allocated a 3 MB body five times over in 32 KiB writes, and
// kept the room it grew into.
type bodyCopy struct {
	writes [][]byte
	n      int
	over   bool
}

func (b *bodyCopy) Write(p []byte) (int, error) {
	switch {
	case b.over:
	case b.n+len(p) > keptDocBytes:
		b.over, b.writes = true, nil
	default:
		b.writes = append(b.writes, bytes.Clone(p))
		b.n += len(p)
	}
	return len(p), nil
}

// kept returns the whole body, or nil when it was too large to keep (or
// there is no copy).
func (b *bodyCopy) kept() []byte {
	if b == nil || b.over {
		return nil
	}
	return bytes.Join(b.writes, nil)
}
