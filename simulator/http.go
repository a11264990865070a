package simulator

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/routers"

	"github.com/mxharness/mxharness/simulator/auth"
	"github.com/mxharness/mxharness/simulator/jsonapi"
)

// maxBody caps request bodies; MaxScale's are small JSON documents.
const maxBody = 1 << 20

// request is what an operation handler gets.
type request struct {
	r      *http.Request
	params map[string]string // path parameters of the route
	query  jsonapi.Query
	body   any    // the decoded body; nil without one
	base   string // link base: http://<Host>/ plus v1/ when the path had it
	// identity is the authenticated user (zero for /v1/auth?logout).
	identity auth.Identity
}

// reply is what an operation handler returns.
type reply struct {
	status int
	doc    any      // JSON tree; nil: no body
	errors []string // when not nil: an error reply with these details (after pending ones)
	header http.Header
	// noValidators: no ETag/Last-Modified and no conditional requests
	// (MaxScale's /v1/auth).
	noValidators bool
	// etag, when set, is the ETag of doc, derived by the handler from
	// what doc is made of instead of from doc itself.
	etag string
	// keepAs, when set, is the key under which the body of doc, shaped,
	// is kept (keptKey, Server.docs; finish keeps it), and made collects
	// the rows it is made of; kept, when set, is the body kept under the
	// key of the reply's query, sent instead of a doc (sendKept).
	keepAs string
	made   *madeRows
	kept   *keptView
	// body, when set, is the body to send instead of doc's encoding, and
	// write, when set, writes it (streamed past streamFrom).
	body  []byte
	write func(io.Writer) error
}

// operation is the handler of one operationId.
type operation struct {
	// requireBody: MaxScale's REQUIRE_BODY flag, 400 Missing request body.
	requireBody bool
	// write: a successful reply stamps Last-Modified.
	write bool
	// check validates the path parameters as MaxScale's router does
	// before the body check; it returns the 404 to send, if any.
	check  func(q *request) *reply
	handle func(q *request) reply
}

// serveHTTP runs MaxScale's request pipeline (catalogue §5.1).
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.preflight(w, r) || s.serveContract(w, r) || s.serveGUI(w, r) {
		return
	}
	// Authentication and authorisation on the original method.
	d := s.auth.Authorize(r)
	if !d.Allowed {
		s.writeStatic(w, r, d.Reply)
		return
	}
	s.logins.Record(d.Identity.User, s.clock.Now())
	// The body is parsed for every verb: invalid JSON is a static 400.
	var raw []byte
	if r.Body != http.NoBody { // net/http's for a request without one: nothing to read
		var err error
		if raw, err = io.ReadAll(io.LimitReader(r.Body, maxBody)); err != nil {
			s.logger.InfoContext(r.Context(), "request body not read", "err", err)
		}
	}
	q := &request{r: r, query: jsonapi.ParseQuery(r.URL.RawQuery), base: linkBase(r), identity: d.Identity}
	if len(raw) > 0 {
		if msg, ok := janssonCheck(raw); !ok {
			s.writeStatic(w, r, auth.Reply{Status: http.StatusBadRequest,
				Header: http.Header{"Date": {jsonapi.HTTPDate(s.clock.Now())}},
				Body:   []byte(`{"errors": [ { "detail": "Invalid JSON in request: ` + msg + `" } ] }`)})
			return
		}
		q.body, _ = jsonapi.Decode(raw) // janssonCheck accepted it
	}
	method, status := auth.EffectiveMethod(r)
	if status != http.StatusOK {
		s.send(w, r, method, reply{status: status})
		return
	}
	if len(raw) > 0 && modifies(method) && !s.profile.observed(devContentTypeNotChecked) && !isJSONContentType(r.Header.Get("Content-Type")) {
		s.send(w, r, method, reply{status: http.StatusUnsupportedMediaType,
			doc: s.errorDocument([]string{"Content-Type must be application/json"}, false)})
		return
	}
	if s.strict {
		if rep := s.strictCheck(r, method, raw); rep != nil {
			s.send(w, r, method, *rep)
			return
		}
	}
	if method == http.MethodGet && isHealthCheck(r.URL.Path) {
		s.send(w, r, method, reply{status: http.StatusOK})
		return
	}
	if method == http.MethodOptions {
		s.send(w, r, method, s.options(r))
		return
	}
	var opID string
	route, params, err := s.findRoute(r, method)
	if err == nil {
		opID = route.Operation.OperationID
	} else if opID, params = s.variableRoute(r, method); opID == "" {
		s.send(w, r, method, s.notRouted(err))
		return
	}
	op := s.ops[opID]
	q.params = params
	if op.check != nil {
		if rep := op.check(q); rep != nil {
			s.finish(w, r, method, q, op, *rep)
			return
		}
	}
	if op.requireBody && q.body == nil {
		s.finish(w, r, method, q, op, errorReply(http.StatusBadRequest, "Missing request body"))
		return
	}
	if op.write && !s.profile.observed(devIfMatchAppliesThen) {
		if st := s.writePrecondition(r, opID, q); st != 0 {
			s.send(w, r, method, reply{status: st})
			return
		}
	}
	s.finish(w, r, method, q, op, op.handle(q))
}

// findRoute routes on the effective method; HEAD runs the GET route.
func (s *Server) findRoute(r *http.Request, method string) (*routers.Route, map[string]string, error) {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	if r.Header.Get("X-HTTP-Method-Override") != "" {
		// The contract's router would route by the override instead of
		// method: leave it out of a shallow copy, unremembered (rare).
		rr := r.WithContext(r.Context())
		rr.Method = method
		rr.Header = r.Header.Clone()
		rr.Header.Del("X-HTTP-Method-Override")
		return s.router.FindRoute(rr)
	}
	got := s.routes.find(s.router, r, method)
	return got.route, got.params, got.err
}

// notRouted answers a request the contract has no operation for: 404
// with no body, also for a known verb on a known path (MaxScale never
// answers 405 for those; the documented profile does).
func (s *Server) notRouted(err error) reply {
	if errors.Is(err, routers.ErrMethodNotAllowed) && !s.profile.observed(devKnownMethod404) {
		return reply{status: http.StatusMethodNotAllowed}
	}
	return reply{status: http.StatusNotFound}
}

// options answers OPTIONS: MaxScale lists in Accept those of GET, PUT,
// POST and DELETE that have a route (never PATCH); the documented profile
// sends Allow with every routed method.
func (s *Server) options(r *http.Request) reply {
	header, methods := "Allow", s.routedMethods(r, true)
	if s.profile.observed(devOptionsAccept) {
		header, methods = "Accept", slices.DeleteFunc(methods, func(m string) bool { return m == http.MethodPatch })
	}
	if len(methods) == 0 {
		return reply{status: http.StatusNotFound}
	}
	return reply{status: http.StatusOK, header: http.Header{header: {strings.Join(methods, ", ")}}}
}

// routedMethods lists the methods the contract routes for r's path, in
// the order GET, PUT, POST, DELETE, PATCH.
func (s *Server) routedMethods(r *http.Request, withPatch bool) []string {
	var methods []string
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodPatch} {
		if _, _, err := s.findRoute(r, m); err == nil && (withPatch || m != http.MethodPatch) {
			methods = append(methods, m)
		}
	}
	return methods
}

// documentedReadHeaders are the headers the documentation promises on
// every GET: Allow, and Accept-Patch where PATCH is allowed.
func (s *Server) documentedReadHeaders(r *http.Request, h http.Header) {
	if s.profile.observed(devOptionsAccept) && s.profile.observed(devNoAcceptPatch) {
		return // MaxScale sends neither header: skip the route lookups on every GET
	}
	methods := s.routedMethods(r, true)
	if !s.profile.observed(devOptionsAccept) && len(methods) > 0 {
		h.Set("Allow", strings.Join(methods, ", "))
	}
	if !s.profile.observed(devNoAcceptPatch) && slices.Contains(methods, http.MethodPatch) {
		h.Set("Accept-Patch", "application/json-patch")
	}
}

func modifies(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// etagOf is the ETag of a reply's document. MaxScale hashes the whole body,
// so a session's tag changes with every GET; the documented profile leaves
// out the attributes that move by themselves, so the tag changes only when
// the session is modified.
func (s *Server) etagOf(doc any) string {
	if s.profile.observed(devETagEveryGet) {
		return jsonapi.DigestOf(doc)
	}
	return jsonapi.DigestOf(withoutVolatile(doc))
}

// volatileAttributes change without any REST modification.
var volatileAttributes = []string{"seconds_alive", "idle", "io_activity", "memory", "queries", "log"}

// withoutVolatile returns doc with the volatile attributes of its session
// resources left out; doc itself is not modified.
func withoutVolatile(doc any) any {
	top, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	strip := func(res any) any {
		// A session rendered from its frozen parts: leave the members out
		// of its attributes overlay, building nothing.
		if o, ok := res.(*jsonapi.Overlay); ok {
			if attrs, ok := o.Fresh("attributes"); ok {
				if a, ok := attrs.(*jsonapi.Overlay); ok {
					return o.With(jsonapi.Member{Key: "attributes", Value: a.Without(volatileAttributes...)})
				}
			}
		}
		m, ok := jsonapi.AsObject(res)
		if !ok || m["type"] != "sessions" {
			return res
		}
		attrs, _ := jsonapi.AsObject(m["attributes"])
		c, a := maps.Clone(m), maps.Clone(attrs)
		for _, k := range volatileAttributes {
			delete(a, k)
		}
		c["attributes"] = a
		return c
	}
	out := maps.Clone(top)
	switch data := top["data"].(type) {
	case []any:
		rows := make([]any, len(data))
		for i, d := range data {
			rows[i] = strip(d)
		}
		out["data"] = rows
	default:
		out["data"] = strip(data)
	}
	return out
}

// isJSONContentType accepts application/json with any parameters.
func isJSONContentType(v string) bool {
	mt, _, _ := strings.Cut(v, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

func isHealthCheck(path string) bool {
	p := strings.Trim(path, "/")
	return p == "" || p == "v1"
}

// linkBase is MaxScale's base for links: scheme, the Host header verbatim,
// and v1/ only when the request's first path segment was v1.
func linkBase(r *http.Request) string {
	base := "http://" + r.Host + "/"
	if first, _, _ := strings.Cut(strings.TrimLeft(r.URL.Path, "/"), "/"); first == "v1" {
		base += "v1/"
	}
	return base
}

func errorReply(status int, details ...string) reply {
	return reply{status: status, errors: details}
}

// finish evaluates conditional headers, shapes the document and sends it
// (jsonapi's documented call order).
func (s *Server) finish(w http.ResponseWriter, r *http.Request, method string, q *request, op operation, rep reply) {
	if rep.status == http.StatusNotFound && s.profile.observed(devNotFoundThrottled) && isNotA(rep.errors) &&
		s.notFoundLog.suppressed(s.clock.Now()) {
		rep.errors = nil // the logged message the reply carries is throttled
	}
	if rep.errors != nil {
		rep.doc = s.errorDocument(rep.errors, false)
	}
	if rep.noValidators {
		s.send(w, r, method, rep)
		return
	}
	read := method == http.MethodGet || method == http.MethodHead
	etag := jsonapi.ETag(nil)
	if (rep.doc != nil || rep.kept != nil) && method != http.MethodHead {
		etag = rep.etag
		if etag == "" {
			etag = s.etagOf(rep.doc)
		}
	}
	key := jsonapi.URIKey(r.URL.Path)
	cond := jsonapi.ConditionsFromHeader(r.Header)
	validators := jsonapi.Validators{ETag: etag, LastModified: s.lastMod.Get(key)}
	outcome := jsonapi.Proceed // documented writes were checked before they ran
	switch {
	case s.profile.observed(devIfMatchAppliesThen):
		outcome = cond.EvaluateMaxScale(validators)
	case read:
		outcome = cond.EvaluateRFC7232(method, validators, rep.status < http.StatusMultipleChoices)
	}
	switch outcome {
	case jsonapi.PreconditionFailed:
		s.send(w, r, method, reply{status: http.StatusPreconditionFailed})
		return
	case jsonapi.NotModified:
		s.send(w, r, method, reply{status: http.StatusNotModified})
		return
	case jsonapi.AsIs:
		s.send(w, r, method, rep)
		return
	}
	if op.write && rep.status >= 200 && rep.status < 300 {
		s.lastMod.Stamp(key, s.clock.Now())
	}
	if read { // straight into the response's headers: no map of the reply's own
		h := w.Header()
		s.documentedReadHeaders(r, h)
		h["ETag"] = []string{etag}
		h.Set("Last-Modified", jsonapi.HTTPDate(s.lastMod.Get(key)))
	}
	if rep.kept != nil {
		s.sendKept(w, r, method, rep) // shaped and encoded for an earlier request
		return
	}
	shaped, logged, err := s.shape(r, q, rep.doc)
	if s.profile.observed(devStaleError) {
		s.pending.Add(logged...) // shows up in the next error reply, on any request
	}
	var shapeErr *jsonapi.Error
	if errors.As(err, &shapeErr) {
		rep.status, rep.doc = shapeErr.Status, s.errorDocument(shapeErr.Details, true)
		s.send(w, r, method, rep) // not kept: not the query's document
		return
	}
	rep.doc = shaped
	if rep.keepAs != "" {
		// Encoded whole, to be kept: with a Content-Length, as MaxScale
		// sends every body.
		body, holes := jsonapi.MarshalHoles(rep.doc, jsonapi.Pretty(q.query))
		if kept := rep.made.keep(body, holes); kept != nil {
			s.docs.Put(rep.keepAs, kept)
		}
		rep.body = body
	}
	s.send(w, r, method, rep)
}

// sendKept sends the body kept for the reply's query with the clock's
// values of its view: whole, filled in one buffer, or streamed in chunks.
func (s *Server) sendKept(w http.ResponseWriter, r *http.Request, method string, rep reply) {
	kept, view := rep.kept, rep.kept.view
	switch {
	case kept.whole != nil:
		rep.body = kept.whole
	case !kept.packed:
		buf := heldBodies.Get().(*[]byte)
		defer heldBodies.Put(buf)
		*buf, _ = kept.fill((*buf)[:0], view, nil) // cannot fail without packed blocks
		rep.body = *buf
	default:
		rep.write = func(out io.Writer) error {
			chunk := heldBodies.Get().(*[]byte)
			defer heldBodies.Put(chunk)
			var err error
			*chunk, err = kept.fill((*chunk)[:0], view, func(b []byte) ([]byte, error) {
				_, err := out.Write(b)
				return b[:0], err
			})
			if err == nil {
				_, err = out.Write(*chunk)
			}
			return err
		}
	}
	s.send(w, r, method, rep)
}

// writePrecondition is the documented (RFC 7232) check of a write's
// conditional headers, made before the write runs, against what a GET of
// the target would return; it returns 412 to refuse, 0 to go on. Only a
// session itself (PATCH, DELETE) has a representation; restart targets
// have none.
func (s *Server) writePrecondition(r *http.Request, opID string, q *request) int {
	cond := jsonapi.ConditionsFromHeader(r.Header)
	if cond == (jsonapi.Conditions{}) {
		return 0
	}
	var current jsonapi.Validators
	exists := false
	if opID == "updateSession" || opID == "deleteSession" {
		if rep := s.getSession(q); rep.status == http.StatusOK {
			current.ETag, exists = s.etagOf(rep.doc), true
		}
	}
	current.LastModified = s.lastMod.Get(jsonapi.URIKey(r.URL.Path))
	if cond.EvaluateRFC7232(r.Method, current, exists) != jsonapi.Proceed {
		return http.StatusPreconditionFailed
	}
	return 0
}

// shape applies fields, filter and page (jsonapi.Shape). The documented
// profile compares session ids as the numbers the documentation's filter
// examples use, and ignores a page[size] that is not a positive integer.
func (s *Server) shape(r *http.Request, q *request, doc any) (any, []string, error) {
	query := q.query
	if !s.profile.observed(devPageSizeJunk) {
		query = jsonapi.ParseQuery(strictPageSize(r.URL.RawQuery))
	}
	// Only a filter compares ids; mapping them for any other request would
	// copy every row for nothing.
	numericIDs := !s.profile.observed(devIDString) && !s.profile.observed(devFilterExprIgnored) && slices.ContainsFunc(query.Keys(), isFilterKey)
	if numericIDs {
		doc = mapSessionIDs(doc, func(id string) any {
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return id
			}
			return n
		})
	}
	shaped, logged, err := jsonapi.Shape(doc, query, jsonapi.Options{
		IgnorePathFilterWithoutRows: !s.profile.observed(devJSONPathSingle400),
		JSONValueFilters:            s.profile.observed(devFilterExprIgnored),
		IgnorePathFilters:           s.profile.observed(devJSONPathIgnored)})
	if numericIDs && err == nil {
		shaped = mapSessionIDs(shaped, func(id int64) any { return strconv.FormatInt(id, 10) })
	}
	return shaped, logged, err
}

// isFilterKey matches the query keys Shape reads as filters: filter and
// filter[<path>].
func isFilterKey(key string) bool {
	return key == "filter" || strings.HasPrefix(key, "filter[")
}

// mapSessionIDs returns doc with the id of every session row of a
// collection converted by conv; doc is not modified.
func mapSessionIDs[T any](doc any, conv func(T) any) any {
	top, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	mapRow := func(row any) any {
		if m, ok := jsonapi.AsObject(row); ok && m["type"] == "sessions" {
			if id, ok := m["id"].(T); ok {
				c := maps.Clone(m)
				c["id"] = conv(id)
				return c
			}
		}
		return row
	}
	var data any
	switch rows := top["data"].(type) {
	case *jsonapi.Rows:
		data = rows.Map(mapRow)
	case []any:
		out := make([]any, len(rows))
		for i, row := range rows {
			out[i] = mapRow(row)
		}
		data = out
	default:
		return doc
	}
	top = maps.Clone(top)
	top["data"] = data
	return top
}

// strictPageSize drops page[size] parameters whose value is not a positive
// decimal integer (the documented rule; MaxScale reads "1x" as 1).
func strictPageSize(raw string) string {
	parts := strings.Split(raw, "&")
	kept := parts[:0]
	for _, p := range parts {
		k, v, _ := strings.Cut(p, "=")
		key, err := url.QueryUnescape(k)
		if err == nil && strings.EqualFold(key, "page[size]") {
			if n, err := strconv.Atoi(v); err != nil || n < 1 || strconv.Itoa(n) != v {
				continue
			}
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "&")
}

// errorDocument is MaxScale's error body: the buffered messages first,
// then the reply's own details; nil (no body) when there are none. A
// reply without details of its own takes the buffered ones only when
// takePending (Shape's errors do; a plain empty 404 does not).
func (s *Server) errorDocument(details []string, takePending bool) any {
	if len(details) == 0 && !takePending {
		return nil
	}
	if all := s.pending.Take(details...); len(all) > 0 {
		return jsonapi.ErrorDocument(all)
	}
	return nil // not a typed nil map: no body at all
}

// securityHeaders are the headers MaxScale adds to every reply of its
// REST API, and jsonContentType the type of its bodies: values shared by
// every reply, which net/http only reads, so that a reply does not
// allocate them anew.
var (
	securityHeaders = http.Header{
		"X-Frame-Options":  {"Deny"},
		"X-XSS-Protection": {"1"}, // as MaxScale spells it, not canonical
		"Referrer-Policy":  {"same-origin"},
		"Cache-Control":    {"no-cache"},
	}
	jsonContentType = []string{"application/json"}
)

// send writes a reply with MaxScale's headers; the document of a reply
// that was not shaped (an error, a 304, MaxScale's unshaped AsIs) is never
// kept under its query's key.
func (s *Server) send(w http.ResponseWriter, r *http.Request, method string, rep reply) {
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	s.corsHeaders(h, r)
	now := s.clock.Now()
	if s.profile.observed(devTwoDigitYear) {
		h.Set("Date", jsonapi.DateHeader(now))
	} else {
		h.Set("Date", jsonapi.HTTPDate(now))
	}
	for k, v := range securityHeaders {
		h[k] = v
	}
	hasBody := (rep.doc != nil || rep.body != nil || rep.write != nil) && rep.status != http.StatusNoContent
	if hasBody {
		h["Content-Type"] = jsonContentType
	} else {
		h["Content-Type"] = nil // no sniffing: MaxScale sends none without a body
	}
	switch {
	case method == http.MethodHead:
		hasBody = false
		h.Set("Content-Length", "0")
	case hasBody && rep.body != nil:
		h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	}
	s.logger.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", rep.status)
	if !hasBody {
		w.WriteHeader(rep.status)
		return
	}
	if rep.body != nil {
		w.WriteHeader(rep.status)
		if _, err := w.Write(rep.body); err != nil {
			s.logger.DebugContext(r.Context(), "reply not written", "err", err)
		}
		return
	}
	write := rep.write
	if write == nil {
		write = func(out io.Writer) error {
			return jsonapi.MarshalTo(out, rep.doc, jsonapi.Pretty(jsonapi.ParseQuery(r.URL.RawQuery)))
		}
	}
	out := newLengthWriter(w, rep.status)
	defer out.release()
	if err := write(out); err == nil {
		err = out.close()
	} else {
		s.logger.DebugContext(r.Context(), "reply not written", "err", err)
	}
}

// streamFrom is the size of a body from which it is streamed rather than
// sent whole: a page, a session or a small collection has a
// Content-Length, as every body MaxScale sends does, and goes out in one
// write; a larger one (32 MB for 10,000 sessions) is sent in ~32 KiB
// writes as it is encoded, chunked, with no buffer of its size to fault in
// and collect, and the client reads the first rows while the others are
// encoded.
const streamFrom = 1 << 20

// lengthWriter holds what is written to it until streamFrom bytes, then
// writes the status and streams the rest; close sends a body that stayed
// under streamFrom with its Content-Length.
type lengthWriter struct {
	w        http.ResponseWriter
	status   int
	buf      *[]byte
	streamed bool
}

// heldBodies recycles the buffers of lengthWriter and of kept bodies'
// fills.
var heldBodies = sync.Pool{New: func() any { return new([]byte) }}

func newLengthWriter(w http.ResponseWriter, status int) *lengthWriter {
	buf := heldBodies.Get().(*[]byte)
	*buf = (*buf)[:0]
	return &lengthWriter{w: w, status: status, buf: buf}
}

func (l *lengthWriter) Write(p []byte) (int, error) {
	if !l.streamed && len(*l.buf)+len(p) <= streamFrom {
		*l.buf = append(*l.buf, p...)
		return len(p), nil
	}
	if !l.streamed {
		l.streamed = true
		l.w.WriteHeader(l.status)
		if _, err := l.w.Write(*l.buf); err != nil {
			return 0, err
		}
	}
	return l.w.Write(p)
}

func (l *lengthWriter) close() error {
	if l.streamed {
		return nil
	}
	l.w.Header().Set("Content-Length", strconv.Itoa(len(*l.buf)))
	l.w.WriteHeader(l.status)
	_, err := l.w.Write(*l.buf)
	return err
}

func (l *lengthWriter) release() { heldBodies.Put(l.buf) }

// writeStatic sends one of MaxScale's fixed-text replies (no security
// headers, a four-digit-year Date); MaxScale sends them without a
// Content-Type, the documented profile with one.
func (s *Server) writeStatic(w http.ResponseWriter, r *http.Request, rep auth.Reply) {
	s.corsHeaders(w.Header(), r)
	if !s.profile.observed(devStaticNoContentType) {
		w.Header().Set("Content-Type", "application/json")
	}
	rep.Write(w)
}
