package mutate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// This file holds the rewrites that need more than one edit: state kept
// across requests, requests of their own to the server, or a query
// language to take apart.

// editBody lets edit change the JSON object body of matching requests.
func editBody(match matcher, edit func(r *http.Request, doc map[string]any)) Middleware {
	return editRequest(match, func(r *http.Request) {
		if r.Body == nil {
			return
		}
		raw, _ := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if doc, ok := decodeObject(raw); ok {
			edit(r, doc)
			raw, _ = json.Marshal(doc)
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		r.ContentLength = int64(len(raw))
		r.Header.Set("Content-Length", strconv.Itoa(len(raw)))
	})
}

// parameters returns the data.attributes.parameters object of a PATCH body.
func parameters(doc map[string]any) map[string]any {
	return object(object(object(doc, "data"), "attributes"), "parameters")
}

// logLevels are the session's boolean parameters, in the documentation's order.
var logLevels = []string{"log_debug", "log_info", "log_notice", "log_warning", "log_error"}

// filterList returns the data.relationships.filters object of a PATCH body
// and its data array.
func filterList(doc map[string]any) (map[string]any, []any, bool) {
	rel := object(object(object(doc, "data"), "relationships"), "filters")
	if rel == nil {
		return nil, nil, false
	}
	list, ok := rel["data"].([]any)
	return rel, list, ok
}

// currentFilters returns the filters relationship of session id as the
// server shows it.
func (e Env) currentFilters(next http.Handler, r *http.Request, id string) []any {
	doc, _ := e.get(next, r, "/v1/sessions/"+id)
	var out []any
	for _, res := range resources(doc) {
		if list, ok := object(object(res, "relationships"), "filters")["data"].([]any); ok {
			for _, f := range list {
				if m, ok := f.(map[string]any); ok {
					out = append(out, map[string]any{"id": m["id"], "type": "filters"})
				}
			}
		}
	}
	return out
}

// keepOldFilters turns a PATCH of the filters relationship into an
// addition: the filters the session had stay in front of the new ones.
func keepOldFilters(env Env) Middleware {
	return func(next http.Handler) http.Handler {
		return editBody(on(http.MethodPatch, sessionPath), func(r *http.Request, doc map[string]any) {
			rel, list, ok := filterList(doc)
			if !ok {
				return
			}
			id := sessionPath.FindStringSubmatch(r.URL.Path)[1]
			old := env.currentFilters(next, r, id)
			for _, f := range list {
				if !slices.ContainsFunc(old, func(o any) bool {
					return o.(map[string]any)["id"] == f.(map[string]any)["id"]
				}) {
					old = append(old, f)
				}
			}
			rel["data"] = old
		})(next)
	}
}

// patchEverySession applies a PATCH's parameters to every other session
// too: a setting stored per service instead of per session.
func patchEverySession(env Env) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !on(http.MethodPatch, sessionPath)(r) {
				next.ServeHTTP(w, r)
				return
			}
			raw, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(raw))
			c := capture(next, r)
			doc, ok := decodeObject(raw)
			if params := parameters(doc); ok && c.status < 300 && len(params) > 0 {
				id := sessionPath.FindStringSubmatch(r.URL.Path)[1]
				list, _ := env.get(next, r, "/v1/sessions")
				body := map[string]any{"data": map[string]any{"attributes": map[string]any{"parameters": params}}}
				for _, res := range resources(list) {
					if other, _ := res["id"].(string); other != id && other != "" {
						env.send(next, r, http.MethodPatch, "/v1/sessions/"+other, body)
					}
				}
			}
			c.send(w)
		})
	}
}

// isKillNow reports whether r kills a session at once: a DELETE without a
// positive ttl.
func isKillNow(r *http.Request) bool {
	if !on(http.MethodDelete, sessionPath)(r) {
		return false
	}
	ttl, err := strconv.Atoi(r.URL.Query().Get("ttl"))
	return err != nil || ttl <= 0
}

// killLeavesClient answers a kill as done and hides the session from the
// API from then on, but never tells the server: the client stays connected.
func killLeavesClient(env Env) Middleware {
	var mu sync.Mutex
	gone := map[string]bool{}
	isGone := func(id string) bool {
		mu.Lock()
		defer mu.Unlock()
		return gone[id]
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m := sessionPath.FindStringSubmatch(r.URL.Path)
			switch {
			case m != nil && isGone(m[1]):
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprintf(w, `{"errors": [{"detail": "Session %s not found"}]}`, m[1])
			case m != nil && isKillNow(r):
				if _, st := env.get(next, r, "/v1/sessions/"+m[1]); st != http.StatusOK {
					next.ServeHTTP(w, r)
					return
				}
				mu.Lock()
				gone[m[1]] = true
				mu.Unlock()
				w.WriteHeader(http.StatusNoContent)
			case on(http.MethodGet, collectionPath)(r):
				editJSON(always, func(_ *http.Request, doc map[string]any) {
					dropRows(doc, func(res map[string]any) bool { id, _ := res["id"].(string); return isGone(id) })
				})(next).ServeHTTP(w, r)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// dropRows removes the elements of a collection's data for which drop is true.
func dropRows(doc map[string]any, drop func(res map[string]any) bool) {
	data, ok := doc["data"].([]any)
	if !ok {
		return
	}
	doc["data"] = slices.DeleteFunc(data, func(e any) bool {
		m, ok := e.(map[string]any)
		return ok && drop(m)
	})
}

// killedStillListed keeps listing a killed session: a collection served
// from a cache that a kill does not update.
func killedStillListed(env Env) Middleware {
	var mu sync.Mutex
	var killed []any
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case isKillNow(r):
				id := sessionPath.FindStringSubmatch(r.URL.Path)[1]
				doc, st := env.get(next, r, "/v1/sessions/"+id)
				if st == http.StatusOK {
					mu.Lock()
					killed = append(killed, doc["data"])
					mu.Unlock()
				}
				next.ServeHTTP(w, r)
			case on(http.MethodGet, collectionPath)(r):
				editJSON(always, func(_ *http.Request, doc map[string]any) {
					data, _ := doc["data"].([]any)
					mu.Lock()
					defer mu.Unlock()
					for _, k := range killed {
						if !slices.ContainsFunc(data, func(e any) bool { return sameID(e, k) }) {
							data = append(data, k)
						}
					}
					doc["data"] = data
				})(next).ServeHTTP(w, r)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

func sameID(a, b any) bool {
	am, _ := a.(map[string]any)
	bm, _ := b.(map[string]any)
	return am != nil && bm != nil && am["id"] == bm["id"]
}

// afterRestart builds a middleware that passes every request on and lets
// edit change the session resources of later responses, for each session
// a successful restart (of it alone, or of all sessions) reached.
func afterRestart(env Env, edit func(res map[string]any)) Middleware {
	var mu sync.Mutex
	restarted := map[string]bool{}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !on(http.MethodPost, restartOnePath)(r) && !on(http.MethodPost, restartAllPath)(r) {
				eachSession(func(res map[string]any) {
					id, _ := res["id"].(string)
					mu.Lock()
					hit := restarted[id]
					mu.Unlock()
					if hit {
						edit(res)
					}
				})(next).ServeHTTP(w, r)
				return
			}
			c := capture(next, r)
			if c.status < 300 {
				ids := []string{}
				if m := restartOnePath.FindStringSubmatch(r.URL.Path); m != nil {
					ids = append(ids, m[1])
				} else {
					list, _ := env.get(next, r, "/v1/sessions")
					for _, res := range resources(list) {
						id, _ := res["id"].(string)
						ids = append(ids, id)
					}
				}
				mu.Lock()
				for _, id := range ids {
					restarted[id] = true
				}
				mu.Unlock()
			}
			c.send(w)
		})
	}
}

// restartAtOnce makes a restart look done at once: from a successful
// restart on, the session shows other backend connection ids, although
// MaxScale 24.02 opens new connections only at the client's next query.
func restartAtOnce(env Env) Middleware {
	return afterRestart(env, func(res map[string]any) {
		conns, _ := object(res, "attributes")["connections"].([]any)
		for _, c := range conns {
			if cm, ok := c.(map[string]any); ok {
				if n, err := cm["connection_id"].(json.Number).Int64(); err == nil {
					cm["connection_id"] = n + 1_000_000
				}
			}
		}
	})
}

// withoutQuery returns r's path and query without the parameters for
// which drop is true.
func withoutQuery(r *http.Request, drop func(key string) bool) string {
	q := r.URL.Query()
	for k := range q {
		if drop(k) {
			q.Del(k)
		}
	}
	if len(q) == 0 {
		return r.URL.Path
	}
	return r.URL.Path + "?" + q.Encode()
}

func isFilterKey(k string) bool { return k == "filter" || strings.HasPrefix(k, "filter[") }

func hasQuery(r *http.Request, is func(key string) bool) bool {
	for k := range r.URL.Query() {
		if is(k) {
			return true
		}
	}
	return false
}

// firstRowOnly applies the query parameters for which is is true to the
// first row of the collection only: every later row is as it would be
// without them.
func firstRowOnly(env Env, is func(key string) bool) Middleware {
	return func(next http.Handler) http.Handler {
		return editJSON(func(r *http.Request) bool { return on(http.MethodGet, collectionPath)(r) && hasQuery(r, is) },
			func(r *http.Request, doc map[string]any) {
				whole, _ := env.get(next, r, withoutQuery(r, is))
				all, _ := whole["data"].([]any)
				kept, _ := doc["data"].([]any)
				out := []any{}
				for i, row := range all {
					if i > 0 {
						out = append(out, row)
						continue
					}
					if j := slices.IndexFunc(kept, func(e any) bool { return sameID(e, row) }); j >= 0 {
						out = append(out, kept[j])
					}
				}
				doc["data"] = out
			})(next)
	}
}

// filterSingle filters a single session as if it were a collection of
// one: a GET with a filter it does not pass answers 404.
func filterSingle(env Env) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m := sessionPath.FindStringSubmatch(r.URL.Path)
			if m == nil || method(r) != http.MethodGet || !hasQuery(r, isFilterKey) {
				next.ServeHTTP(w, r)
				return
			}
			q := url.Values{}
			for k, vs := range r.URL.Query() {
				if isFilterKey(k) {
					q[k] = vs
				}
			}
			list, st := env.get(next, r, "/v1/sessions?"+q.Encode())
			if st == http.StatusOK && !slices.ContainsFunc(resources(list), func(res map[string]any) bool { return res["id"] == m[1] }) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprintf(w, `{"errors": [{"detail": "Session %s not found"}]}`, m[1])
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// notFirstOnly rewrites not(a,b,…) to not(a): a not() that reads one
// sub-expression where the documentation allows several.
func notFirstOnly(expr string) string {
	var b strings.Builder
	for {
		i := strings.Index(expr, "not(")
		if i < 0 {
			b.WriteString(expr)
			return b.String()
		}
		b.WriteString(expr[:i+4])
		rest := expr[i+4:]
		depth, cut, end := 0, -1, -1
		inString := false
	scan:
		for j, c := range rest {
			switch {
			case c == '"':
				inString = !inString
			case inString:
			case c == '(':
				depth++
			case c == ')' && depth == 0:
				end = j
				break scan
			case c == ')':
				depth--
			case c == ',' && depth == 0 && cut < 0:
				cut = j
			}
		}
		if end < 0 {
			b.WriteString(rest)
			return b.String()
		}
		if cut < 0 {
			cut = end
		}
		b.WriteString(rest[:cut])
		expr = rest[end:]
	}
}

// firstJSONPathOnly keeps only the first filter[…] parameter of a request,
// in the order the client wrote them.
func firstJSONPathOnly(r *http.Request) {
	seen := false
	var kept []string
	for _, kv := range strings.Split(r.URL.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if key, err := url.QueryUnescape(k); err == nil && strings.HasPrefix(key, "filter[") {
			if seen {
				continue
			}
			seen = true
		}
		kept = append(kept, kv)
	}
	r.URL.RawQuery = strings.Join(kept, "&")
}

// leadingDigits is what strtol reads of s.
func leadingDigits(s string) string {
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	return s[:end]
}

// etagPerResponse gives every response a new ETag.
func etagPerResponse(Env) Middleware {
	var mu sync.Mutex
	n := 0
	return editResponse(always, func(_ *http.Request, c *captured) {
		if c.header.Get("ETag") == "" {
			return
		}
		mu.Lock()
		n++
		c.header.Set("ETag", fmt.Sprintf(`"%040d"`, n))
		mu.Unlock()
	})
}

// twoDigitYear is the Date form MaxScale 24.02 sends.
func twoDigitYear(_ *http.Request, c *captured) {
	if t, err := http.ParseTime(c.header.Get("Date")); err == nil {
		c.header.Set("Date", t.UTC().Format("Mon, 02 Jan 06 15:04:05 GMT"))
	}
}

// connectedISO writes the connected time as RFC 3339, not as an HTTP date.
func connectedISO(attrs map[string]any) {
	if s, ok := attrs["connected"].(string); ok {
		if t, err := http.ParseTime(s); err == nil {
			attrs["connected"] = t.UTC().Format(time.RFC3339)
		}
	}
}

// errorsAsText sends the detail of an error document as plain text.
func errorsAsText(_ *http.Request, c *captured) {
	doc, ok := decodeObject(c.body)
	if c.status < 400 || !ok {
		return
	}
	var details []string
	for _, e := range doc["errors"].([]any) {
		if m, ok := e.(map[string]any); ok {
			details = append(details, fmt.Sprint(m["detail"]))
		}
	}
	c.body = []byte(strings.Join(details, "\n"))
	c.header.Set("Content-Type", "text/plain")
}

// errorsAsObject sends {"error": {"detail": …}} instead of JSON:API's
// {"errors": [{"detail": …}]}.
func errorsAsObject(_ *http.Request, doc map[string]any) {
	if errs, ok := doc["errors"].([]any); ok && len(errs) > 0 {
		delete(doc, "errors")
		doc["error"] = errs[0]
	}
}

// rewordErrors changes every error text the way a rewrite of the error
// messages would.
func rewordErrors(_ *http.Request, doc map[string]any) {
	errs, _ := doc["errors"].([]any)
	for _, e := range errs {
		if m, ok := e.(map[string]any); ok {
			if d, ok := m["detail"].(string); ok {
				m["detail"] = "Error: " + d
			}
		}
	}
}

// offsetMemoryTotal makes the memory total one more than its parts.
func offsetMemoryTotal(attrs map[string]any) {
	mem := object(attrs, "memory")
	if n, ok := mem["total"].(json.Number); ok {
		if v, err := n.Int64(); err == nil {
			mem["total"] = v + 1
		}
	}
}

// idAsNumber writes the session id as a JSON number.
func idAsNumber(res map[string]any) {
	if s, ok := res["id"].(string); ok {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			res["id"] = n
		}
	}
}

// shiftIDs numbers sessions apart from connection ids: the API shows every
// session id plus n, and reads ids of n and more as that id minus n.
func shiftIDs(n int64) Middleware {
	inPath := regexp.MustCompile(`/sessions/([0-9]+)`)
	shift := func(re *regexp.Regexp, text string, by int64) string {
		return re.ReplaceAllStringFunc(text, func(m string) string {
			sub := re.FindStringSubmatch(m)
			id, err := strconv.ParseInt(sub[1], 10, 64)
			if err != nil || id+by < 0 {
				return m
			}
			return strings.Replace(m, sub[1], strconv.FormatInt(id+by, 10), 1)
		})
	}
	inBody := regexp.MustCompile(`"id": ?"([0-9]+)"`)
	return chain(
		editRequest(always, func(r *http.Request) {
			if m := inPath.FindStringSubmatch(r.URL.Path); m != nil {
				if id, _ := strconv.ParseInt(m[1], 10, 64); id >= n {
					r.URL.Path, r.URL.RawPath = shift(inPath, r.URL.Path, -n), ""
				}
			}
		}),
		editResponse(always, func(_ *http.Request, c *captured) {
			c.body = []byte(shift(inBody, shift(inPath, string(c.body), n), n))
		}),
	)
}

// filtersShownLate keeps showing a session's old filters for two seconds
// after a PATCH replaced them.
func filtersShownLate(env Env) Middleware {
	type shown struct {
		old   []any
		until time.Time
	}
	var mu sync.Mutex
	late := map[string]shown{}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m := sessionPath.FindStringSubmatch(r.URL.Path)
			if m != nil && method(r) == http.MethodPatch {
				old := env.currentFilters(next, r, m[1])
				c := capture(next, r)
				if c.status < 300 {
					mu.Lock()
					late[m[1]] = shown{old: old, until: time.Now().Add(2 * time.Second)}
					mu.Unlock()
				}
				c.send(w)
				return
			}
			eachSession(func(res map[string]any) {
				id, _ := res["id"].(string)
				mu.Lock()
				sh, ok := late[id]
				mu.Unlock()
				if !ok || time.Now().After(sh.until) {
					return
				}
				rels := object(res, "relationships")
				if len(sh.old) == 0 {
					delete(rels, "filters")
				} else if f := object(rels, "filters"); f != nil {
					f["data"] = sh.old
				}
			})(next).ServeHTTP(w, r)
		})
	}
}

// restartForgetsClient shows a restarted session without the connection
// attributes its client sent: the restart made a new session that lost
// what the client said at connect time.
func restartForgetsClient(env Env) Middleware {
	return afterRestart(env, func(res map[string]any) {
		delete(object(object(res, "attributes"), "client"), "connection_attributes")
	})
}
