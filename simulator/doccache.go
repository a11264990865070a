package simulator

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/mxharness/mxharness/simulator/session"
)

// clockMembers are the members of a session's attributes that are laid
// over its frozen parts on every read (resourceIn): what the clock moves,
// and remote, which ?rdns may change.
var clockMembers = []string{"idle", "io_activity", "remote", "seconds_alive"}

// clockFreeKey returns the key under which the body of a GET of the view's
// collection is kept (docCache), or "" when the body may depend on the
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

// docCache keeps the encoded bodies of the last few clock-free documents
// (clockFreeKey), the most recently used first. Bodies of older versions
// are never asked for again and leave as newer ones come in.
type docCache struct {
	mu      sync.Mutex
	entries []keptDoc
	size    int
}

type keptDoc struct {
	key  string
	body []byte
}

const (
	// keptDocs and keptDocBytes bound the cache: a few clients polling
	// with different fieldsets, and the 3 MB of fields[sessions]=user,state
	// over 10,000 sessions twice over (0.4 KiB a session at 20,000).
	keptDocs     = 4
	keptDocBytes = 8 << 20
)

// get returns the body kept under key, if any.
func (c *docCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.key == key {
			copy(c.entries[1:i+1], c.entries[:i])
			c.entries[0] = e
			return e.body, true
		}
	}
	return nil, false
}

// put keeps body under key, first, and drops the least recently used
// bodies beyond the bounds. The caller must not change body afterwards.
func (c *docCache) put(key string, body []byte) {
	if len(body) > keptDocBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.key == key {
			c.entries = append(c.entries[:i], c.entries[i+1:]...)
			c.size -= len(e.body)
			break
		}
	}
	c.entries = append([]keptDoc{{key: key, body: body}}, c.entries...)
	c.size += len(body)
	for len(c.entries) > keptDocs || c.size > keptDocBytes {
		last := c.entries[len(c.entries)-1]
		c.entries = c.entries[:len(c.entries)-1]
		c.size -= len(last.body)
	}
}

// bodyCopy is an io.Writer that keeps a copy of what a reply wrote, up to
// keptDocBytes: the body of a clock-free document is streamed to its
// client and kept (docCache) in one pass. The writes are copied as they
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
