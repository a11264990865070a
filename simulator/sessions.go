package simulator

import (
	"context"
	"encoding/binary"
	"errors"
	"iter"
	"net/http"
	"sync"
	"time"

	"github.com/mxharness/mxharness/simulator/jsonapi"
	"github.com/mxharness/mxharness/simulator/session"
)

// devUnknownIDEmpty404: a numeric id without a session is a 404 with no
// body in MaxScale 24.02.4.
const devUnknownIDEmpty404 = "unknown-id-empty-404"

// operations maps every operationId of the contract to its handler; a
// test keeps this set equal to spec.OperationIDs().
func (s *Server) operations() map[string]operation {
	sessionID := func(q *request) *reply { return checkSessionID(q.params["id"]) }
	write := s.profile.writeStatus
	ops := map[string]operation{
		"listSessions": {handle: s.listSessions},
		"getSession":   {check: sessionID, handle: s.getSession},
		"updateSession": {requireBody: true, write: true, check: sessionID, handle: func(q *request) reply {
			u := sessionUpdate(q.body, !s.profile.observed(devDocFilterShape))
			return s.writeResult(q, s.reg.Patch(q.params["id"], u), write())
		}},
		"updateSessionFilters": {requireBody: true, write: true, check: sessionID, handle: s.updateSessionFilters},
		"restartSession": {write: true, check: sessionID, handle: func(q *request) reply {
			return s.writeResult(q, s.reg.Restart(q.params["id"]), write())
		}},
		"restartAllSessions": {write: true, handle: func(q *request) reply {
			return s.writeResult(q, s.reg.RestartAll(), write())
		}},
		"deleteSession": {write: true, check: sessionID, handle: func(q *request) reply {
			ttl, _ := q.query.Get("ttl")
			return s.writeResult(q, s.reg.Kill(q.params["id"], atoi(ttl)), write())
		}},
		"getAuth": {handle: s.getAuth},
	}
	s.kindOperations(ops)
	return ops
}

// checkSessionID is MaxScale's :session placeholder: a segment that is not
// a positive decimal is "<seg> is not a session" (404).
func checkSessionID(seg string) *reply {
	if _, ok := session.ParseID(seg); ok {
		return nil
	}
	rep := errorReply(http.StatusNotFound, seg+" is not a session")
	return &rep
}

// writeResult turns a registry error into MaxScale's reply: an unknown
// session is a 404 with no body, a refused input a 400 with its detail.
func (s *Server) writeResult(q *request, err error, okStatus int) reply {
	var fe *session.FilterError
	switch {
	case err == nil:
		return reply{status: okStatus}
	case errors.Is(err, session.ErrNotFound):
		return s.unknownSession(q)
	case errors.As(err, &fe):
		if s.profile.observed(devPatchErrorEmpty400) {
			return reply{status: http.StatusBadRequest}
		}
		return errorReply(http.StatusBadRequest, fe.Detail)
	}
	s.logger.ErrorContext(q.r.Context(), "session operation failed", "path", q.r.URL.Path, "err", err)
	return errorReply(http.StatusBadRequest, err.Error())
}

// unknownSession is the reply for a numeric id without a started session.
func (s *Server) unknownSession(q *request) reply {
	if s.profile.observed(devUnknownIDEmpty404) {
		return reply{status: http.StatusNotFound}
	}
	return errorReply(http.StatusNotFound, q.params["id"]+" is not a session")
}

// listSessions answers GET /v1/sessions. Where the profile's ETag changes
// on every GET anyway (MaxScale's hashes the body, whose seconds_alive
// moves), the collection is lazy: its rows are snapshotted and rendered
// only when the shaping or the encoder reads them, and its tag comes from
// the view's version and instant (collectionTag), so a page of 100 out of
// 100,000 sessions renders 100. At one version, a filter whose verdicts
// read frozen parts only makes the rows it kept the last time
// (jsonapi.Matches), and a body that cannot show the clock, or a page
// whose rows show it only where they lay it over their frozen parts, is
// served again (keptKey, keptBody). The documented profile's tag must stay equal while
// nothing is modified through the API, whatever the clock and the clients
// do: it hashes every row's content (etagOf), from rows rendered once,
// eagerly. So does a reverse-DNS request, whose names the version does
// not follow, and an empty collection, whose tag never changes in
// MaxScale.
func (s *Server) listSessions(q *request) reply {
	view := s.reg.View()
	resolve := s.remoteNames(q)
	rep := reply{status: http.StatusOK}
	lazy := s.profile.observed(devETagEveryGet) && !rdns(q) && view.Len() > 0
	var made *madeRows // the rows of a body to keep
	if lazy {
		key, clockFree, rows := keptKey(view, q)
		var kept *keptBody // nil: none
		if key != "" {
			kept, _ = s.docs.Get(key)
		}
		switch {
		case key == "":
		case kept != nil && kept != seenOnce:
			rep.kept = &keptView{kept, view}
			if jsonapi.ConditionsFromHeader(q.r.Header) == (jsonapi.Conditions{}) {
				rep.etag = s.collectionTag(view, q.base)
				return rep // no document to build: the body is sent from what is kept
			}
			// A conditional GET may be answered with the unshaped document.
		case clockFree || rows <= keptRows || kept == seenOnce:
			rep.keepAs = key
			made = &madeRows{clockFree: clockFree}
			rep.made = made
		default:
			s.docs.Put(key, seenOnce) // kept if asked for again at this version
		}
	}
	row := func(i int) any {
		snap := view.Snapshot(i)
		res, r := sessionRow(&snap, q.base, resolve, s.profile.omit)
		if made != nil {
			made.add(i, r)
		}
		return res
	}
	var data any
	if lazy {
		kept := func(i int, r *resourceRow) any { return keptResource(view.Kept(i), q.base, s.profile.omit, r) }
		data = jsonapi.NewRows(view.Len(), row).Peeked(func(lo, hi int) iter.Seq2[int, any] {
			return peekRows(lo, hi, kept)
		}).Remembered(collectionKey(view, q.base), s.matches)
		rep.etag = s.collectionTag(view, q.base)
	} else {
		rows := make([]any, view.Len())
		for i := range rows {
			rows[i] = row(i)
		}
		data = rows
	}
	rep.doc = map[string]any{
		"data":  data,
		"links": map[string]any{"self": q.base + "sessions/"},
	}
	return rep
}

// collectionTag is the ETag of a collection of the view's sessions under
// the link base: a digest of the view's version and instant. Two views of
// one version at one instant show the same snapshots, so equal tags mean
// equal documents; any change a row shows moves the version, and the
// clock moves seconds_alive, so the tag changes with them (and on every
// GET while the clock runs, as MaxScale's does).
//
// The rows are snapshotted after the version was read: a change made while
// a response is rendered may show in it under the older tag. That tag
// never validates again (the version has moved on), so no conditional
// request is answered from it.
func (s *Server) collectionTag(v session.View, base string) string {
	b := make([]byte, 0, 64) // on the stack for the usual link bases
	b = binary.LittleEndian.AppendUint64(b, s.tagSeed)
	b = binary.LittleEndian.AppendUint64(b, v.Version)
	b = binary.LittleEndian.AppendUint64(b, uint64(v.Now.UnixNano()))
	return jsonapi.ETag(append(b, base...))
}

func (s *Server) getSession(q *request) reply {
	snap, err := s.reg.Get(q.params["id"])
	if err != nil {
		return s.unknownSession(q)
	}
	res := sessionResource(&snap, q.base, s.remoteNames(q), s.profile.omit)
	return reply{status: http.StatusOK, doc: map[string]any{
		"data":  res,
		"links": map[string]any{"self": q.base + "sessions/" + snap.ID + "/"},
	}}
}

// rdnsTimeout bounds one reverse lookup; a failed lookup keeps the IP.
const rdnsTimeout = 2 * time.Second

// rdns reports whether ?rdns is truthy: remote shows reverse-DNS names.
func rdns(q *request) bool {
	v, _ := q.query.Get("rdns")
	on, ok := jsonapi.Truthy(v)
	return ok && on
}

// remoteNames returns the function that maps a client address to what
// `remote` shows: the address itself unless ?rdns is truthy, else its
// reverse-DNS name (each address looked up once per request).
func (s *Server) remoteNames(q *request) func(ip string) string {
	if !rdns(q) {
		return func(ip string) string { return ip }
	}
	var mu sync.Mutex
	cache := map[string]string{}
	return func(ip string) string {
		mu.Lock()
		defer mu.Unlock()
		if name, ok := cache[ip]; ok {
			return name
		}
		ctx, cancel := context.WithTimeout(q.r.Context(), rdnsTimeout)
		defer cancel()
		name, err := s.resolver(ctx, ip)
		if err != nil || name == "" {
			name = ip
		}
		cache[ip] = name
		return name
	}
}

func (s *Server) updateSessionFilters(q *request) reply {
	if s.profile.observed(devFilterRelURLIgnored) {
		// MaxScale 23.08 only looks the session up.
		if _, err := s.reg.Get(q.params["id"]); err != nil {
			return s.unknownSession(q)
		}
		return reply{status: s.profile.writeStatus()}
	}
	// MaxScale wraps the body's data in data.relationships.filters and
	// runs the PATCH logic; its errors are not redirected into the reply,
	// so a refused list is a 400 with no body.
	obj, _ := q.body.(map[string]any)
	data, ok := obj["data"]
	if !ok {
		return reply{status: s.profile.writeStatus()}
	}
	names, filterErr := filterList(data)
	err := s.reg.Patch(q.params["id"], session.Update{Filters: &names, FilterErr: filterErr})
	if err != nil && !errors.Is(err, session.ErrNotFound) && s.profile.observed(devFilterErrorEmpty400) {
		return reply{status: http.StatusBadRequest}
	}
	return s.writeResult(q, err, s.profile.writeStatus())
}

// sessionUpdate reads what MaxScale's Session::update reads from a PATCH
// body: boolean parameters at /data/attributes/parameters and the filter
// list at /data/relationships/filters/data. Everything else is ignored.
// documentedShape also reads the documentation's example shape,
// /data/attributes/relationships/filters/data, which MaxScale ignores.
func sessionUpdate(body any, documentedShape bool) session.Update {
	var u session.Update
	if params, ok := pointer(body, "data", "attributes", "parameters").(map[string]any); ok {
		u.Parameters = map[string]bool{}
		for k, v := range params {
			if b, ok := v.(bool); ok {
				u.Parameters[k] = b
			}
		}
	}
	filters, _ := pointer(body, "data", "relationships", "filters").(map[string]any)
	if documented, ok := pointer(body, "data", "attributes", "relationships", "filters").(map[string]any); ok && documentedShape && filters == nil {
		filters = documented
	}
	if data, ok := filters["data"]; ok {
		names, err := filterList(data)
		u.Filters, u.FilterErr = &names, err
	}
	return u
}

// filterList reads a relationship's data: a non-array clears the list
// (jansson iterates nothing); each element needs a string id. MaxScale
// crashes on an element without id or that is not an object (deviation
// filter-without-id-crash, never reproduced): the simulator refuses it
// with a 400 in MaxScale's words.
func filterList(data any) ([]string, error) {
	arr, _ := data.([]any)
	names := make([]string, 0, len(arr))
	for _, el := range arr {
		obj, ok := el.(map[string]any)
		if !ok {
			return nil, &session.FilterError{Detail: "Not a JSON object but a " + jsonType(el)}
		}
		id, ok := obj["id"].(string)
		if !ok {
			return nil, &session.FilterError{Detail: "Not a JSON string but a " + jsonType(obj["id"])}
		}
		names = append(names, id)
	}
	return names, nil
}

// pointer walks object members; it returns nil when one is missing.
func pointer(v any, keys ...string) any {
	for _, k := range keys {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[k]
	}
	return v
}

// jsonType names a JSON value's type as MaxScale's json_type_to_string.
func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case int64:
		return "integer"
	case float64:
		return "real"
	case bool:
		return "boolean"
	}
	return "null"
}

// atoi is C's atoi as glibc implements it, (int)strtol(s, NULL, 10):
// leading white space and a sign are accepted, parsing stops at the first
// non-digit, the long saturates at LONG_MIN/LONG_MAX and the cast to a
// 32-bit int wraps.
func atoi(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	const limit = uint64(1) << 63 // |LONG_MIN|; LONG_MAX is limit-1
	var n uint64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > limit/10 {
			n = limit // saturated; n*10 would overflow
			continue
		}
		n = min(n*10+uint64(s[i]-'0'), limit)
	}
	var long int64
	switch {
	case neg:
		long = -int64(n) // -2^63 when saturated: int64(limit) is already LONG_MIN
	case n >= limit:
		long = int64(limit - 1)
	default:
		long = int64(n)
	}
	return int(int32(long))
}
