package mutate

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Middleware is how a mutant changes the exchanges that pass through the
// proxy: it wraps next, the reverse proxy to the server, and may edit the
// request before it goes on, edit the response on the way back, answer in
// the server's place, or send next requests of its own.
type Middleware func(next http.Handler) http.Handler

// Paths of the session resource, with or without the optional /v1 prefix
// and trailing slash.
var (
	sessionPath    = regexp.MustCompile(`^(?:/v1)?/sessions/([0-9]+)/?$`)
	collectionPath = regexp.MustCompile(`^(?:/v1)?/sessions/?$`)
	restartOnePath = regexp.MustCompile(`^(?:/v1)?/sessions/([0-9]+)/restart/?$`)
	restartAllPath = regexp.MustCompile(`^(?:/v1)?/sessions/restart/?$`)
	filtersRelPath = regexp.MustCompile(`^(?:/v1)?/sessions/([0-9]+)/relationships/filters/?$`)
)

// method is the method a request asks for: X-HTTP-Method-Override when it
// names one in upper case (as MaxScale honours it), else the request's own.
func method(r *http.Request) string {
	if o := r.Header.Get("X-HTTP-Method-Override"); o != "" && o == strings.ToUpper(o) {
		return o
	}
	return r.Method
}

// matcher selects the requests a rewrite applies to.
type matcher func(r *http.Request) bool

// on matches requests for method m whose path matches p.
func on(m string, p *regexp.Regexp) matcher {
	return func(r *http.Request) bool { return method(r) == m && p.MatchString(r.URL.Path) }
}

// onAny matches requests whose path matches p, whatever the method.
func onAny(p *regexp.Regexp) matcher {
	return func(r *http.Request) bool { return p.MatchString(r.URL.Path) }
}

// either matches what any of ms matches.
func either(ms ...matcher) matcher {
	return func(r *http.Request) bool {
		for _, m := range ms {
			if m(r) {
				return true
			}
		}
		return false
	}
}

// always matches every request.
func always(*http.Request) bool { return true }

// editRequest changes matching requests before they go to the server.
func editRequest(match matcher, edit func(r *http.Request)) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if match(r) {
				edit(r)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// editQuery changes the query parameters of matching requests.
func editQuery(match matcher, edit func(q url.Values)) Middleware {
	return editRequest(match, func(r *http.Request) {
		q := r.URL.Query()
		edit(q)
		r.URL.RawQuery = q.Encode()
	})
}

// dropQuery removes the query parameters whose key starts with prefix.
func dropQuery(match matcher, prefix string) Middleware {
	return editQuery(match, func(q url.Values) {
		for k := range q {
			if strings.HasPrefix(k, prefix) {
				q.Del(k)
			}
		}
	})
}

// editHeader changes the request headers of matching requests.
func editHeader(match matcher, edit func(h http.Header)) Middleware {
	return editRequest(match, func(r *http.Request) { edit(r.Header) })
}

// answer replies to matching requests with status and body (nil: none)
// instead of passing them on: the server never sees them.
func answer(match matcher, status int, body []byte) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !match(r) {
				next.ServeHTTP(w, r)
				return
			}
			if body != nil {
				w.Header().Set("Content-Type", "application/json")
			}
			w.WriteHeader(status)
			_, _ = w.Write(body)
		})
	}
}

// captured is a whole response of the server, held so that it can be
// edited before it is sent.
type captured struct {
	status int
	header http.Header
	body   []byte
}

// capture runs r through next and keeps the response.
func capture(next http.Handler, r *http.Request) *captured {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	return &captured{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// send writes c to w.
func (c *captured) send(w http.ResponseWriter) {
	for k, vs := range c.header {
		w.Header()[k] = vs
	}
	w.Header().Del("Content-Length")
	if len(c.body) > 0 {
		w.Header().Set("Content-Length", strconv.Itoa(len(c.body)))
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body)
}

// editResponse lets edit change the server's response to matching requests.
func editResponse(match matcher, edit func(r *http.Request, c *captured)) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !match(r) {
				next.ServeHTTP(w, r)
				return
			}
			c := capture(next, r)
			edit(r, c)
			c.send(w)
		})
	}
}

// editStatus replaces the status from with to on matching requests.
func editStatus(match matcher, from, to int) Middleware {
	return editResponse(match, func(_ *http.Request, c *captured) {
		if c.status == from {
			c.status = to
		}
	})
}

// editJSON lets edit change the JSON object body of the server's responses
// to matching requests; other bodies pass unchanged. The body is written
// back indented or compact as it came.
func editJSON(match matcher, edit func(r *http.Request, doc map[string]any)) Middleware {
	return editResponse(match, func(r *http.Request, c *captured) {
		doc, ok := decodeObject(c.body)
		if !ok {
			return
		}
		edit(r, doc)
		c.body = encodeLike(c.body, doc)
	})
}

// decodeObject decodes a JSON object keeping numbers as written.
func decodeObject(b []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	return doc, true
}

// encodeLike encodes v indented with four spaces when orig was indented,
// compact when it was not.
func encodeLike(orig []byte, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if bytes.Contains(orig, []byte("\n")) {
		enc.SetIndent("", "    ")
	}
	if err := enc.Encode(v); err != nil {
		return orig
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// resources returns the resource objects of a document: its data object,
// or the elements of its data array.
func resources(doc map[string]any) []map[string]any {
	switch d := doc["data"].(type) {
	case map[string]any:
		return []map[string]any{d}
	case []any:
		out := make([]map[string]any, 0, len(d))
		for _, e := range d {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// eachSession edits every session resource of the responses to GET one
// session and GET the collection.
func eachSession(edit func(res map[string]any)) Middleware {
	return editJSON(either(on(http.MethodGet, sessionPath), on(http.MethodGet, collectionPath)), func(_ *http.Request, doc map[string]any) {
		for _, res := range resources(doc) {
			edit(res)
		}
	})
}

// eachAttributes edits the attributes object of every session resource.
func eachAttributes(edit func(attrs map[string]any)) Middleware {
	return eachSession(func(res map[string]any) {
		if attrs, ok := res["attributes"].(map[string]any); ok {
			edit(attrs)
		}
	})
}

// object returns the object at key of m, or nil.
func object(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// stringify replaces the value at key of m, if any, with its JSON text as
// a string: the wrong JSON type of a careless implementation.
func stringify(m map[string]any, key string) {
	if v, ok := m[key]; ok && v != nil {
		b, _ := json.Marshal(v)
		m[key] = strings.Trim(string(b), `"`)
	}
}

// chain applies the middlewares in order: the first sees the request first.
func chain(ms ...Middleware) Middleware {
	return func(next http.Handler) http.Handler {
		for i := len(ms) - 1; i >= 0; i-- {
			next = ms[i](next)
		}
		return next
	}
}

// get sends a GET for path (with the request's credentials replaced by
// the admin's) through next and returns the decoded object body.
func (e Env) get(next http.Handler, r *http.Request, path string) (map[string]any, int) {
	req := httptest.NewRequestWithContext(r.Context(), http.MethodGet, path, nil)
	req.Host = r.Host
	req.SetBasicAuth(e.User, e.Password)
	c := capture(next, req)
	doc, _ := decodeObject(c.body)
	return doc, c.status
}

// send sends method path with a JSON body (nil: none) as the admin through
// next and returns the status.
func (e Env) send(next http.Handler, r *http.Request, method, path string, body any) int {
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequestWithContext(r.Context(), method, path, rd)
	req.Host = r.Host
	req.SetBasicAuth(e.User, e.Password)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return capture(next, req).status
}
