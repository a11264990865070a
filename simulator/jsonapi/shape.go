package jsonapi

import (
	"net/http"
	"runtime"
	"strings"
	"sync"
)

// Error is a request failure produced while shaping a response. Details are
// the `detail` texts of MaxScale's error document, in order; they already
// include messages logged earlier in the same request (such as
// "Invalid filter expression: id"). When Details is empty MaxScale sends
// the status with an empty body, unless older logged messages are pending
// (see Shape).
type Error struct {
	Status  int
	Details []string
}

func (e *Error) Error() string {
	if len(e.Details) == 0 {
		return http.StatusText(e.Status) + " (empty body)"
	}
	return http.StatusText(e.Status) + ": " + strings.Join(e.Details, "; ")
}

// EmptyBody reports whether the error has no detail text of its own.
func (e *Error) EmptyBody() bool { return len(e.Details) == 0 }

// ErrorDocument builds MaxScale's error body `{"errors":[{"detail":…},…]}`
// for Marshal; it returns nil when there is nothing to report, which means
// an empty body.
func ErrorDocument(details []string) map[string]any {
	if len(details) == 0 {
		return nil
	}
	errs := make([]any, len(details))
	for i, d := range details {
		errs[i] = map[string]any{"detail": d}
	}
	return map[string]any{"errors": errs}
}

// Options selects between MaxScale 24.02.4's behaviour (the zero value)
// and the documented one where they differ.
type Options struct {
	// IgnorePathFilterWithoutRows makes filter[<jsonpath>] a no-op on a
	// response without a `data` array (a single resource, an error, an
	// empty body), as API.md documents ("never filtered"). MaxScale
	// 24.02.4 answers 400 with an empty body instead (deviation
	// jsonpath-filter-on-single-400). A malformed expression is a 400 with
	// its parser message either way.
	IgnorePathFilterWithoutRows bool
	// JSONValueFilters makes filter=<pointer>=<value> what it is in
	// MaxScale 23.08, which has no filter expressions: the value is parsed
	// as one JSON value and the rows whose value at the pointer is equal
	// to it (json_equal) are kept; a value that is not JSON (eq(…),
	// and(…), a malformed expression) leaves the rows alone. Never an
	// error, nothing logged (deviation filter-expressions-ignored).
	JSONValueFilters bool
	// IgnorePathFilters leaves filter[<jsonpath>] unread, as MaxScale 23.08
	// does (deviation jsonpath-filter-ignored).
	IgnorePathFilters bool
}

// Shape applies MaxScale's query-driven reshaping to a response document,
// in MaxScale's order: row filters (`filter=<pointer>=<expr>`, then each
// `filter[<jsonpath>]=<expr>` in URL order, ANDed), then paging
// (`page[size]`, `page[number]`), then sparse fieldsets (`fields[<type>]`).
//
// Empty values: `filter=` and `fields[<type>]=` do nothing (MaxScale
// cannot tell them from absent parameters), while `filter[<path>]=` is
// parsed and fails with "Empty filter expression". When both filter forms
// fail, the first failure is reported (MaxScale's order between them is
// not observable in the captures).
//
// doc is the handler's document (nil for an empty body); it is not
// modified. Whether it is a collection follows from `data` being an
// array, as in MaxScale: pointer filters and paging leave single resources
// alone. The result is the document to marshal.
//
// logged holds messages MaxScale logs at error level without failing the
// request — `Invalid filter expression: <value>` for a `filter` value
// without '='. MaxScale keeps them in a process-wide buffer and puts them
// in front of the details of the next error reply on any request; the
// caller should do the same. On failure err is an *Error whose Details
// already begin with this request's logged messages; the caller prepends
// older buffered messages.
func Shape(doc any, q Query, opts Options) (shaped any, logged []string, err error) {
	fail := func(status int, detail ...string) (any, []string, error) {
		return nil, nil, &Error{Status: status, Details: append(logged, detail...)}
	}
	root, _ := AsObject(doc)

	if value, ok := q.Get("filter"); ok && value != "" {
		ptr, expr, found := strings.Cut(value, "=")
		if opts.JSONValueFilters {
			if want, jerr := Decode([]byte(expr)); found && jerr == nil {
				root = filterRows(root, rowFilter{match: func(row any) bool {
					v, ok := jsonPointer(row, ptr)
					return ok && jsonEqual(plain(v), want)
				}})
			}
		} else if !found {
			logged = append(logged, msgInvalidFilterForm+value)
		} else {
			m, perr := parseFilterExpression(expr)
			if perr != nil {
				return fail(http.StatusBadRequest, perr.Error())
			}
			root = filterRows(root, keptVerdicts("filter="+value, pointerNames(ptr), func(row any) bool {
				v, ok := jsonPointer(row, ptr)
				return ok && m(plain(v))
			}))
		}
	}

	for _, key := range q.Keys() {
		path, ok := bracketed(key, "filter")
		if !ok || opts.IgnorePathFilters {
			continue
		}
		value, _ := q.Get(key)
		m, perr := parseFilterExpression(value)
		if perr != nil {
			return fail(http.StatusBadRequest, perr.Error())
		}
		if !isArray(root["data"]) {
			if opts.IgnorePathFilterWithoutRows {
				continue
			}
			return fail(http.StatusBadRequest)
		}
		root = filterRows(root, keptVerdicts(key+"="+value, pathNames(path), func(row any) bool {
			matched := false
			jsonPath(row, path, func(node any) bool {
				matched = m(plain(node))
				return matched
			})
			return matched
		}))
	}

	if size, number, ok := pageParams(q); ok && root != nil {
		root = paginate(root, size, number)
	}

	for _, key := range q.Keys() {
		typ, ok := bracketed(key, "fields")
		if !ok || root == nil {
			continue
		}
		if value, _ := q.Get(key); value != "" {
			root = parseFields(typ, value).apply(root)
		}
	}

	if root == nil {
		return doc, logged, nil
	}
	return root, logged, nil
}

// bracketed returns X for a key `<name>[X]`.
func bracketed(key, name string) (string, bool) {
	inner, ok := strings.CutPrefix(key, name+"[")
	if !ok || !strings.HasSuffix(inner, "]") {
		return "", false
	}
	return inner[:len(inner)-1], true
}

// filterRows keeps the rows of an array `data` that match the filter;
// documents without a `data` array are returned unchanged.
func filterRows(doc map[string]any, filter rowFilter) map[string]any {
	kept := []any{}
	if lazy, ok := doc["data"].(*Rows); ok {
		return withMember(doc, "data", append(kept, filterParallel(lazy, filter)...))
	}
	rows, ok := asArray(doc["data"])
	if !ok {
		return doc
	}
	for _, row := range rows {
		if filter.match(row) {
			kept = append(kept, row)
		}
	}
	return withMember(doc, "data", kept)
}

// filterParallel returns the rows that match the filter, in order. A lazy
// collection's rows are made as they are read, and each filter reads
// every one: the rows are split into one range per processor. Where the
// rows are remembered (Rows.Remembered), what a filter with kept verdicts
// kept is read from and kept in their Matches.
func filterParallel(rows *Rows, filter rowFilter) []any {
	remember := rows.matches != nil && rows.peek != nil && filter.kept != nil
	if remember {
		if kept, ok := rows.matches.get(rows.key, filter.name); ok {
			return filterKnown(rows, kept, filter)
		}
	}
	k := min(runtime.GOMAXPROCS(0), 8)
	if rows.Len() < 2*filterBatch {
		k = 1
	}
	parts := make([]filtered, k)
	size := (rows.Len() + k - 1) / k
	var wg sync.WaitGroup
	for p := range k {
		wg.Go(func() {
			parts[p] = filterRange(rows, p*size, min((p+1)*size, rows.Len()), filter)
		})
	}
	wg.Wait()
	var kept []any
	var index []int
	frozen := true
	for _, p := range parts {
		kept, index = append(kept, p.rows...), append(index, p.index...)
		frozen = frozen && p.frozen
	}
	if remember && frozen {
		rows.matches.put(rows.key, filter.name, index)
	}
	return kept
}

// filterKnown returns the rows of the given indices that match the
// filter: each is judged as made, as filterRange judges the rows it makes
// (a session may have changed since the indices were kept).
func filterKnown(rows *Rows, index []int, filter rowFilter) []any {
	var kept []any
	for _, i := range index {
		if row := rows.At(i); filter.match(row) {
			kept = append(kept, row)
		}
	}
	return kept
}

// filtered is what filterRange kept: the rows and their indices, and
// whether every verdict read frozen parts only (peeked rows only).
type filtered struct {
	rows   []any
	index  []int
	frozen bool
}

// filterRange returns rows lo…hi-1 that match the filter, in order. Where
// the rows can be peeked and the filter keeps verdicts, a row whose frozen
// parts hold a verdict against it is not made at all: a filter over
// 10,000 sessions snapshotted and rendered every one to keep a third.
// A row that is made is judged as made (its session may have changed
// since it was peeked).
func filterRange(rows *Rows, lo, hi int, filter rowFilter) filtered {
	var out filtered
	if rows.peek == nil || filter.kept == nil {
		for i := lo; i < hi; i++ {
			if row := rows.At(i); filter.match(row) {
				out.rows = append(out.rows, row)
			}
		}
		return out
	}
	out.frozen = true
	for i, parts := range rows.peek(lo, hi) {
		if parts != nil {
			if match, known := filter.kept(parts); known && !match {
				continue
			}
		}
		row := rows.At(i)
		match, frozen := filter.judge(row)
		out.frozen = out.frozen && frozen
		if match {
			out.rows, out.index = append(out.rows, row), append(out.index, i)
		}
	}
	return out
}

// filterBatch is the fewest rows a goroutine of filterParallel is given.
const filterBatch = 256
