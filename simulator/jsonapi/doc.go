// Package jsonapi implements MaxScale 24.02's common JSON:API response
// machinery for the simulator: serialisation, query parameters, row
// filters, paging, sparse fieldsets, ETags and conditional requests. It
// runs no HTTP server; its only state lives in LastModified and
// ErrorBuffer, both safe for concurrent use.
//
// # Trees
//
// JSON documents are Go trees: map[string]any, []any, string, bool, nil,
// int64 (integers) and float64 (reals). Marshal and the filters also accept
// any Go integer kind, float32, map[string]string, map[string]int64,
// []string and []map[string]any. Integers and reals stay distinct:
// MaxScale prints reals with 17 significant digits (0.69999999999999996,
// 10.0) and compares them type-strictly in filters (1 != 1.0).
//
// A *Frozen (Freeze) is a part of a tree that does not change: it is
// encoded once per format and depth and read through everywhere else.
//
// # API
//
//	Marshal(v, pretty) []byte          sorted keys, 4-space indent or compact, jansson reals/escapes
//	AppendMarshal(buf, v, pretty)      Marshal into a reused buffer
//	MarshalTo(w, v, pretty) error      Marshal streamed to w in ~32 KiB chunks
//	Freeze(build) *Frozen              an unchanging part; its encodings are kept
//	Frozen.With(members...) *Overlay  fresh members laid over it; Overlay.With, .Without, .Fresh
//	Frozen.WithIn(o, members) *Overlay  With, made in an Overlay the caller allocates
//	NewRows(n, at) *Rows               an array whose elements are made when read; Rows.Map
//	Rows.Peeked(peek) *Rows            with its rows' frozen parts readable unmade (kept filter verdicts)
//	Decode(data) (any, error)          JSON → tree (int64 unless the number has . e E)
//	ParseQuery(raw) Query              lower-cased keys, first duplicate wins, "" for no '='
//	Query.Get(key) (string, bool), Query.Keys() []string
//	Truthy(v) (value, ok bool)         config_truth_value
//	Pretty(q) bool                     false only for a falsy ?pretty
//	Shape(doc, q, Options) (shaped any, logged []string, err error)
//	                                   filter → page → fields; err is *Error{Status, Details}
//	ErrorDocument(details) map[string]any   {"errors":[{"detail":…}]}, nil when no details
//	ErrorBuffer{}.Add(msgs...), .Take(details...) []string
//	ETag(body) string                  "<sha1 hex>"; ETag(nil) = "da39a3ee…"
//	ETagOf(doc) string                 ETag(Marshal(doc, false)) streamed through the hash
//	DigestOf(doc) string               an ETag that hashes each Frozen part once (what the simulator sends)
//	DateHeader(t), HTTPDate(t), ParseHTTPDate(s)
//	ConditionsFromHeader(h) Conditions
//	Conditions.EvaluateMaxScale(Validators) Outcome           observed 24.02.4
//	Conditions.EvaluateRFC7232(method, Validators, exists) Outcome   documented
//	NewLastModified(start) *LastModified; .Get(key), .Stamp(key, t); URIKey(path)
//
// # How the simulator uses it (every reply with a JSON or empty body)
//
// Profile maxscale-24.02 (what MaxScale 24.02.4 does, res.cc/hresp.cc):
//
//  1. Run the handler (a write is applied now). It returns a status and a
//     document, or nil for an empty body. HEAD runs the GET handler and
//     drops the body.
//  2. etag := DigestOf(doc) (ETagOf's tag for plain documents; for frozen
//     parts their kept digest instead of their bytes, 1.5 MB hashed
//     instead of the 13 MB dump of a 10,000-session collection), or
//     ETag(nil) for an empty body and for HEAD. (MaxScale hashes its
//     insertion-ordered dump; any tag that is a function of the content
//     is an equally good stand-in, because a session's tag changes on
//     every GET anyway.)
//  3. outcome := ConditionsFromHeader(r.Header).EvaluateMaxScale(
//     Validators{etag, lastMod.Get(URIKey(r.URL.Path))}).
//     PreconditionFailed → 412, empty; NotModified → 304, empty;
//     AsIs → the handler's status and document unshaped, no ETag, no
//     Last-Modified, no Last-Modified stamp; Proceed → go on.
//  4. Proceed: a successful (200/201/204) write stamps
//     lastMod.Stamp(URIKey(path), now); GET/HEAD get the headers
//     ETag: etag and Last-Modified: HTTPDate(lastMod.Get(key)), also on a
//     404.
//  5. shaped, logged, err := Shape(doc, ParseQuery(r.URL.RawQuery), opts);
//     pending.Add(logged...). On err (an *Error) the reply is e.Status with
//     body ErrorDocument(pending.Take(e.Details...)) — which is empty when
//     there is nothing to report (filter[...] on a single resource). Every
//     other reply whose body MaxScale builds from its error log (the JSON
//     `errors` bodies, e.g. "abc is not a session") also takes its detail
//     list from pending.Take(own details...), so `Invalid filter
//     expression: id` from `?filter=id` heads the next such reply, as in
//     case 055. Replies that never carry a body (404 for an unknown
//     numeric id, 405, 304, 412) and the static 401/403 texts leave the
//     buffer alone.
//  6. MarshalTo(w, shaped, Pretty(q)) after the headers: the body is
//     streamed as it is encoded (Marshal allocates a buffer of the
//     reply's size: 32 MB for 10,000 sessions, which costs more to fault
//     in than to fill); Date: DateHeader(now).
//
// Profile documented: check ConditionsFromHeader(...).EvaluateRFC7232(
// method, Validators{current representation's ETag and last content
// change}, exists) BEFORE applying a write (412/304 stop it), never use
// AsIs, and pass Options{IgnorePathFilterWithoutRows: true} to Shape.
//
// Not reproduced: MaxScale's log throttling, which after more than ten
// identical errors within a second sends error replies with empty bodies.
package jsonapi
