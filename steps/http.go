package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// response is what a step received: status, headers, raw body and, when the
// body is JSON, its decoded tree.
type response struct {
	method, url string
	status      int
	header      http.Header
	body        []byte
	doc         any
	jsonErr     error
}

// maxRecordedBody caps the bodies kept in a scenario's exchanges.
const maxRecordedBody = 64 << 10

// request is one REST call a step wants to make.
type request struct {
	method, path string
	body         *string // nil: no body at all
	header       http.Header
	admin        bool // use the target's admin account whatever the scenario's credentials
}

// send expands the path, sends the request to the target, records the
// exchange, checks the response against the contract and makes it the
// scenario's last response. A response the contract does not allow fails the
// step, unless the deviation ledger names the deviation it shows.
func (s *scenario) send(ctx context.Context, rq request) (*response, error) {
	path, err := s.expand(rq.path)
	if err != nil {
		return nil, err
	}
	u := strings.TrimSuffix(s.target.APIURL, "/") + escapeQuery(path)
	var body io.Reader
	if rq.body != nil {
		b, err := s.expand(*rq.body)
		if err != nil {
			return nil, err
		}
		rq.body = &b
		body = strings.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", rq.method, u, err)
	}
	if rq.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range rq.header {
		for _, v := range vs {
			ev, err := s.expand(v)
			if err != nil {
				return nil, err
			}
			req.Header.Set(k, ev)
		}
	}
	auth := s.auth
	if rq.admin {
		auth = credentials{kind: "basic", user: s.target.User, pass: s.target.Password}
	}
	auth.apply(req)

	start := time.Now()
	resp, err := s.run.httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", rq.method, u, err)
	}
	raw, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", rq.method, u, err)
	}
	r := &response{method: rq.method, url: u, status: resp.StatusCode, header: resp.Header, body: raw}
	if len(bytes.TrimSpace(raw)) > 0 {
		r.doc, r.jsonErr = decodeJSON(raw)
	}
	ex := Exchange{
		Method: rq.method, URL: u, RequestHeader: req.Header.Clone(),
		Status: resp.StatusCode, ResponseHeader: resp.Header.Clone(),
		ResponseBody: clip(raw), Duration: time.Since(start),
	}
	if rq.body != nil {
		ex.RequestBody = clip([]byte(*rq.body))
	}
	verr := s.run.contract.check(ctx, req, r, s.run.ledger.has)
	if verr != nil {
		ex.SpecErrors = verr.problems
	}
	s.record(ex)
	s.last = r
	if verr != nil {
		if len(verr.deviations) > 0 && !slices.ContainsFunc(verr.deviations, func(id string) bool { return !s.run.ledger.has(id) }) {
			for _, id := range verr.deviations {
				s.seeDeviation(id)
			}
			return r, nil
		}
		return r, fmt.Errorf("%s %s: the response breaks the contract: %s", rq.method, u, verr)
	}
	return r, nil
}

func clip(b []byte) string {
	if len(b) > maxRecordedBody {
		return string(b[:maxRecordedBody]) + "…"
	}
	return string(b)
}

func (c credentials) apply(req *http.Request) {
	switch c.kind {
	case "basic":
		req.SetBasicAuth(c.user, c.pass)
	case "bearer":
		req.Header.Set("Authorization", "Bearer "+c.token)
	case "cookie":
		req.AddCookie(&http.Cookie{Name: c.cookieName, Value: c.cookieValue})
	}
}

// escapeQuery percent-encodes the query of a path as written in a feature,
// so that scenarios can show expressions like filter=id=eq("1") readably.
// Each key and value is escaped separately; & and the first = of each
// parameter keep their meaning.
func escapeQuery(path string) string {
	p, q, ok := strings.Cut(path, "?")
	if !ok {
		return path
	}
	var b strings.Builder
	b.WriteString(p)
	b.WriteByte('?')
	for i, kv := range strings.Split(q, "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		k, v, hasValue := strings.Cut(kv, "=")
		b.WriteString(percentEncode(k))
		if hasValue {
			b.WriteByte('=')
			b.WriteString(percentEncode(v))
		}
	}
	return b.String()
}

// percentEncode escapes every byte outside RFC 3986's unreserved set.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// decodeJSON decodes a JSON document keeping MaxScale's distinction between
// integers (int64) and reals (float64).
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return normalize(v)
}

// normalize turns json.Number into int64 (written without fraction or
// exponent) or float64.
func normalize(v any) (any, error) {
	switch t := v.(type) {
	case json.Number:
		if !strings.ContainsAny(t.String(), ".eE") {
			if i, err := t.Int64(); err == nil {
				return i, nil
			}
		}
		f, err := t.Float64()
		if err != nil {
			return nil, fmt.Errorf("number %s: %w", t, err)
		}
		return f, nil
	case map[string]any:
		for k, e := range t {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			t[k] = n
		}
	case []any:
		for i, e := range t {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			t[i] = n
		}
	}
	return v, nil
}
