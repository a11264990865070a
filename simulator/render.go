package simulator

import (
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/mxharness/mxharness/simulator/jsonapi"
	"github.com/mxharness/mxharness/simulator/session"
)

// sessionResource renders a snapshot as MaxScale's session resource
// (ses.cc:388-491). remote maps the client address for ?rdns.
//
// The resource is rendered from the session's frozen parts, kept with the
// session while it shows the same state, with only what the clock moves
// (seconds_alive, idle, io_activity) and remote laid over them. Every
// session goes through the same Frozen pair, new or kept, so that the
// ETag (jsonapi.DigestOf) of a document depends on its content only.
// What omit names (the profile's absent properties) is left out.
func sessionResource(s *session.Snapshot, base string, remote func(string) string, omit *omission) any {
	res, _ := sessionRow(s, base, remote, omit)
	return res
}

// sessionRow is sessionResource that also returns the row the resource's
// clock members point into.
func sessionRow(s *session.Snapshot, base string, remote func(string) string, omit *omission) (*jsonapi.Overlay, *resourceRow) {
	p := partsOf(s, base, omit)
	r := new(resourceRow)
	r.values = clockValues{idle: s.Idle, ioActivity: int64(s.IOActivity), remote: remote(s.Remote), secondsAlive: s.SecondsAlive}
	return p.resourceIn(r, r.values.member(idleMember), r.values.member(ioActivityMember), r.values.member(remoteMember), r.values.member(secondsAliveMember)), r
}

// resourceIn lays the clock's members and remote over p in r, and returns
// the resource.
func (p *sessionParts) resourceIn(r *resourceRow, idle, ioActivity, remote, secondsAlive any) *jsonapi.Overlay {
	clock := r.clock[:0]
	for _, m := range [...]jsonapi.Member{ // in key order: nothing to sort
		{Key: "idle", Value: idle},
		{Key: "io_activity", Value: ioActivity},
		{Key: "remote", Value: remote},
		{Key: "seconds_alive", Value: secondsAlive},
	} {
		if !p.omit.leaves(attributesPath, m.Key) {
			clock = append(clock, m)
		}
	}
	r.shown = len(clock)
	r.attributes[0] = jsonapi.Member{Key: "attributes", Value: p.attrs.WithIn(&r.attrs, clock)}
	return p.resource.WithIn(&r.resource, r.attributes[:])
}

// keptResource returns, made in r, the frozen parts of the resource of
// the session whose kept state is kept (session.View.Kept), under base and
// omit, with nil for the clock's members and remote — or nil when the
// session's memo holds no parts of that state: what a lazy collection
// peeks (jsonapi.Rows.Peeked) to read a filter's kept verdict without
// snapshotting the session or rendering its row.
func keptResource(kept *session.Snapshot, base string, omit *omission, r *resourceRow) any {
	if kept == nil || kept.Memo == nil {
		return nil
	}
	p, ok := kept.Memo.Load().(*sessionParts)
	if !ok || p.base != base || p.omit != omit || p.snap != kept && !p.snap.SameState(kept) {
		return nil
	}
	return p.resourceIn(r, nil, nil, nil, nil)
}

// peekRows yields each i of lo…hi-1 with parts(i, r), all made in one r
// (jsonapi.Rows.Peeked: each is read before the next is asked for).
func peekRows(lo, hi int, parts func(i int, r *resourceRow) any) iter.Seq2[int, any] {
	return func(yield func(int, any) bool) {
		r := new(resourceRow)
		for i := lo; i < hi; i++ {
			if !yield(i, parts(i, r)) {
				return
			}
		}
	}
}

// resourceRow is what a session's resource lays over its frozen parts, in
// one allocation instead of nine: the overlays, their members, and the
// clock's values the members point at (jsonapi.Member), which boxed as
// values cost an allocation each.
type resourceRow struct {
	resource, attrs jsonapi.Overlay
	attributes      [1]jsonapi.Member
	clock           [4]jsonapi.Member
	values          clockValues
	// shown is how many of the clock's members the resource shows.
	shown int
}

// clockValues are the values of clockMembers a row lays over its frozen
// parts (and a kept body's fill writes again).
type clockValues struct {
	idle, secondsAlive float64
	ioActivity         int64
	remote             string
}

// member returns a pointer to the value of clockMembers[i], which a
// jsonapi.Member may hold without boxing the value.
func (c *clockValues) member(i int) any {
	switch i {
	case idleMember:
		return &c.idle
	case ioActivityMember:
		return &c.ioActivity
	case remoteMember:
		return &c.remote
	}
	return &c.secondsAlive
}

// The indices of clockMembers.
const (
	idleMember = iota
	ioActivityMember
	remoteMember
	secondsAliveMember
)

// appendMember appends the JSON of clockMembers[i] but remote's (which a
// kept body leaves as it wrote it), as a jsonapi encoding of member(i)
// writes it.
func (c *clockValues) appendMember(dst []byte, i int) []byte {
	switch i {
	case idleMember:
		return jsonapi.AppendReal(dst, c.idle)
	case ioActivityMember:
		return strconv.AppendInt(dst, c.ioActivity, 10)
	}
	return jsonapi.AppendReal(dst, c.secondsAlive)
}

// memberOf returns the index in clockMembers of the member whose value p
// points at in c, or -1 when p points elsewhere.
func (c *clockValues) memberOf(p any) int {
	for i := range clockMembers {
		if c.member(i) == p {
			return i
		}
	}
	return -1
}

// attributesPath is the pointer of a resource's attributes, as tokens.
var attributesPath = []string{"attributes"}

// sessionParts is what a session's resource shows that changes only when
// the session does, frozen: every attribute but the clock's and remote,
// and the resource's other members. Kept in the session's memo, they are
// built and encoded once per state instead of on every GET; a GET of
// 10,000 sessions spent most of its time building and encoding them.
type sessionParts struct {
	snap            *session.Snapshot // the state the parts show, the session's own (Kept)
	base            string            // the links' base
	omit            *omission         // what the parts leave out
	attrs, resource *jsonapi.Frozen
}

// partsOf returns the parts of s's resource: the ones in its memo when
// they show the same state under the same base and omission, else new
// ones, which are kept in their turn. A snapshot without a memo gets new
// parts.
func partsOf(s *session.Snapshot, base string, omit *omission) *sessionParts {
	if s.Memo != nil {
		if p, ok := s.Memo.Load().(*sessionParts); ok && p.base == base && p.omit == omit && p.snap.SameState(s) {
			return p
		}
	}
	p := &sessionParts{snap: s.Kept(), base: base, omit: omit}
	p.attrs, p.resource = jsonapi.Freeze(p.attributes), jsonapi.Freeze(p.resourceObject)
	if s.Memo != nil {
		s.Memo.Store(p)
	}
	return p
}

// attributes builds the attributes the parts show, as a new map.
func (p *sessionParts) attributes() map[string]any {
	snap := p.snap
	// Sized for the clock's members too: a map filled past its initial
	// size grows and rehashes, for every session of a GET.
	attrs := make(map[string]any, 15)
	attrs["state"] = snap.State.String()
	attrs["port"] = int64(snap.Port)
	attrs["connected"] = jsonapi.HTTPDate(snap.Connected)
	attrs["thread"] = int64(snap.Thread)
	attrs["memory"] = memoryTree(&snap.Memory)
	attrs["connections"] = connectionsTree(snap.Backends)
	attrs["client"] = clientTree(snap)
	attrs["queries"] = queriesTree(snap.Queries)
	attrs["log"] = stringsTree(snap.Log)
	attrs["parameters"] = parametersTree(snap.Parameters)
	if snap.User != "" {
		attrs["user"] = snap.User
	}
	p.omit.apply(attrs, attributesPath...)
	return attrs
}

// resourceObject builds the resource's members but its attributes, as a
// new map.
func (p *sessionParts) resourceObject() map[string]any {
	snap := p.snap
	self := p.base + "sessions/" + snap.ID + "/"
	rels := map[string]any{
		"services": relationship(p.base, self, "services", []string{snap.Service}),
	}
	if len(snap.Filters) > 0 {
		rels["filters"] = relationship(p.base, self, "filters", snap.Filters)
	}
	res := map[string]any{
		"id":            snap.ID,
		"type":          "sessions",
		"relationships": rels,
		"links":         map[string]any{"self": self},
	}
	p.omit.apply(res) // the attributes are not in res: attributes() applies those
	return res
}

// relationship is MaxScale's relationship object with its links.
func relationship(base, owner, typ string, ids []string) map[string]any {
	data := make([]any, len(ids))
	for i, id := range ids {
		data[i] = map[string]any{"id": id, "type": typ}
	}
	return map[string]any{
		"data": data,
		"links": map[string]any{
			"self":    owner + "relationships/" + typ + "/",
			"related": base + typ + "/",
		},
	}
}

func clientTree(s *session.Snapshot) map[string]any {
	c := map[string]any{"cipher": ""}
	if s.ConnectionAttributes == nil {
		c["connection_attributes"] = nil
	} else {
		attrs := make(map[string]any, len(s.ConnectionAttributes))
		for k, v := range s.ConnectionAttributes {
			attrs[k] = v
		}
		c["connection_attributes"] = attrs
	}
	if h := s.History; h != nil {
		c["sescmd_history_len"] = int64(h.Len)
		c["sescmd_history_stored_responses"] = int64(h.StoredResponses)
		c["sescmd_history_stored_metadata"] = int64(h.StoredMetadata)
	}
	return c
}

func connectionsTree(bs []session.Backend) []any {
	out := make([]any, len(bs))
	for i, b := range bs {
		out[i] = map[string]any{"connection_id": int64(b.ConnectionID), "server": b.Server, "cipher": ""}
	}
	return out
}

func buffersTree(b session.Buffers) map[string]any {
	return map[string]any{"writeq": int64(b.WriteQ), "readq": int64(b.ReadQ), "misc": int64(b.Misc), "total": int64(b.Total)}
}

func memoryTree(m *session.Memory) map[string]any {
	backends := make(map[string]any, len(m.Backends))
	for name, b := range m.Backends {
		backends[name] = buffersTree(b)
	}
	return map[string]any{
		"connection_buffers": map[string]any{
			"client":   buffersTree(m.Client),
			"backends": backends,
			"total":    int64(m.BuffersTotal),
		},
		"last_queries":   int64(m.LastQueries),
		"variables":      int64(m.Variables),
		"sescmd_history": int64(m.SescmdHistory),
		"exec_metadata":  int64(m.ExecMetadata),
		"total":          int64(m.Total),
	}
}

// queryTime is MaxScale's %G-%m-%dT%H:%M:%S.mmm in local time (%G is the
// ISO week-numbering year).
func queryTime(t time.Time) string {
	t = t.Local()
	year, _ := t.ISOWeek()
	return fmt.Sprintf("%04d-%s", year, t.Format("01-02T15:04:05.000"))
}

func queriesTree(qs []session.Query) []any {
	out := make([]any, len(qs))
	for i, q := range qs {
		e := map[string]any{"received": queryTime(q.Received), "responses": []any{}}
		if q.Statement != "" {
			e["command"], e["statement"] = q.Command, q.Statement
		}
		if !q.Completed.IsZero() {
			e["completed"] = queryTime(q.Completed)
			if q.Server != "" {
				e["responses"] = []any{map[string]any{"server": q.Server, "duration": q.Duration.Milliseconds()}}
			}
		}
		out[i] = e
	}
	return out
}

func stringsTree(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func parametersTree(p map[string]bool) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}
