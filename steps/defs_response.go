package steps

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// responseSteps check the status, headers and shape of the last response.
func responseSteps() []stepDef {
	return []stepDef{
		def(`^the response status is (\d+)$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			want, _ := strconv.Atoi(a[0])
			return s.checkResponse(func(r *response) error {
				if r.status != want {
					return fmt.Errorf("status = %d, want %d", r.status, want)
				}
				return nil
			})
		}),
		def(`^the write is refused$`, func(_ context.Context, s *scenario, _ []string, _ string) error {
			return s.checkResponse(func(r *response) error {
				if r.status != http.StatusUnauthorized && r.status != http.StatusForbidden {
					return fmt.Errorf("status = %d, want 401 or 403", r.status)
				}
				return nil
			})
		}),
		def(`^the request is rejected$`, func(_ context.Context, s *scenario, _ []string, _ string) error {
			return s.checkResponse(func(r *response) error {
				if r.status < 400 || r.status > 499 {
					return fmt.Errorf("status = %d, want a 4xx client error", r.status)
				}
				return nil
			})
		}),
		def(`^the response has no body$`, func(_ context.Context, s *scenario, _ []string, _ string) error {
			return s.checkResponse(func(r *response) error {
				if len(r.body) != 0 {
					return fmt.Errorf("body has %d bytes, want none", len(r.body))
				}
				return nil
			})
		}),
		def(`^the response is an error document$`, func(_ context.Context, s *scenario, _ []string, _ string) error {
			_, err := s.errorDetail()
			return err
		}),
		def(`^the error detail is "(.*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.checkDetail(a[0], false)
		}),
		def(`^the error detail starts with "(.*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.checkDetail(a[0], true)
		}),
		def(`^the response header "([^"]+)" is (present|absent)$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.checkHeader(a[0], func(v string, ok bool) error {
				if ok != (a[1] == "present") {
					return fmt.Errorf("%s header is %q, want it %s", a[0], v, a[1])
				}
				return nil
			})
		}),
		def(`^the response header "([^"]+)" is "(.*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			want, err := s.expand(a[1])
			if err != nil {
				return err
			}
			return s.checkHeader(a[0], func(v string, _ bool) error {
				if v != want {
					return fmt.Errorf("%s header is %q, want %q", a[0], v, want)
				}
				return nil
			})
		}),
		def(`^the response header "([^"]+)" is not "(.*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			other, err := s.expand(a[1])
			if err != nil {
				return err
			}
			return s.checkHeader(a[0], func(v string, ok bool) error {
				if !ok || v == other {
					return fmt.Errorf("%s header is %q, want a value other than %q", a[0], v, other)
				}
				return nil
			})
		}),
		def(`^the response header "([^"]+)" starts with "(.*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.checkHeader(a[0], func(v string, _ bool) error {
				if !strings.HasPrefix(v, a[1]) {
					return fmt.Errorf("%s header is %q, want it to start with %q", a[0], v, a[1])
				}
				return nil
			})
		}),
		def(`^the response header "([^"]+)" lists "([^"]*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.checkHeader(a[0], func(v string, ok bool) error {
				got := commaList(v)
				for _, m := range commaList(a[1]) {
					if !slices.Contains(got, m) {
						return fmt.Errorf("%s header is %q, want it to list %s", a[0], v, a[1])
					}
				}
				if !ok {
					return fmt.Errorf("the response has no %s header, want one listing %s", a[0], a[1])
				}
				return nil
			})
		}),
		def(`^the response header "([^"]+)" is an RFC 1123 date$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.checkHeader(a[0], func(v string, _ bool) error {
				if _, err := time.Parse(time.RFC1123, v); err != nil {
					return fmt.Errorf("%s header %q is not an RFC 1123 date: %w", a[0], v, err)
				}
				return nil
			})
		}),
		def(`^the response header "([^"]+)" is an HTTP date$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.checkHeader(a[0], func(v string, _ bool) error {
				if _, err := http.ParseTime(v); err != nil {
					return fmt.Errorf("%s header %q is not an HTTP date: %w", a[0], v, err)
				}
				return nil
			})
		}),
		def(`^the response header "([^"]+)" matches "(.*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.checkHeader(a[0], func(v string, _ bool) error { return matches(a[0]+" header", v, a[1]) })
		}),
		def(`^the response body is (indented|compact)$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.checkResponse(func(r *response) error {
				body := bytes.TrimRight(r.body, "\r\n")
				indented := bytes.Contains(body, []byte("\n    \""))
				compact := len(body) > 0 && !bytes.Contains(body, []byte("\n"))
				if (a[0] == "indented" && !indented) || (a[0] == "compact" && !compact) {
					return fmt.Errorf("body is not %s: %.200q", a[0], body)
				}
				return nil
			})
		}),
		def(`^the response is a JSON API document$`, func(_ context.Context, s *scenario, _ []string, _ string) error {
			return s.checkResponse(checkJSONAPI)
		}),
		def(`^the response sets the cookie "([^"]+)" with "([^"]+)" and "([^"]+)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			r, err := s.lastResponse()
			if err != nil {
				return err
			}
			for _, line := range r.header.Values("Set-Cookie") {
				if !strings.HasPrefix(line, a[0]+"=") {
					continue
				}
				attrs := strings.Split(line, ";")
				for i := range attrs {
					attrs[i] = strings.ToLower(strings.TrimSpace(attrs[i]))
				}
				for _, want := range a[1:] {
					if !slices.Contains(attrs, strings.ToLower(want)) {
						return fmt.Errorf("cookie %q lacks %s", line, want)
					}
				}
				return nil
			}
			return fmt.Errorf("the response sets no cookie %q; Set-Cookie: %q", a[0], r.header.Values("Set-Cookie"))
		}),
		def(`^the token in the response is valid for (\d+) seconds$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			v, err := s.valueAt("/meta/token")
			if err != nil {
				return err
			}
			want, _ := strconv.ParseInt(a[0], 10, 64)
			return checkTokenLifetime(v, want)
		}),
	}
}

// checkResponse runs check on the last response and adds the response to
// its error, so a failing step shows what the server said.
func (s *scenario) checkResponse(check func(*response) error) error {
	r, err := s.lastResponse()
	if err != nil {
		return err
	}
	if err := check(r); err != nil {
		return fmt.Errorf("%s %s: %w; body: %.300q", r.method, r.url, err, r.body)
	}
	return nil
}

// checkHeader runs check on the named header of the last response.
func (s *scenario) checkHeader(name string, check func(v string, present bool) error) error {
	return s.checkResponse(func(r *response) error {
		vs := r.header.Values(name)
		return check(strings.Join(vs, ", "), len(vs) > 0)
	})
}

// errorDetailPointer is where an error document keeps its message. The
// contract uses the JSON:API form MaxScale sends, {"errors": [{"detail": …}]},
// rather than the {"error": {…}} of API.md's example (x-observed
// error-document-shape).
const errorDetailPointer = "/errors/0/detail"

// errorDetail returns the error message of the last response.
func (s *scenario) errorDetail() (string, error) {
	r, err := s.lastResponse()
	if err != nil {
		return "", err
	}
	if r.doc == nil {
		return "", fmt.Errorf("%s %s: status %d with no JSON body (%v), want an error document", r.method, r.url, r.status, r.jsonErr)
	}
	v, err := pointerGet(r.doc, errorDetailPointer)
	if err != nil {
		return "", fmt.Errorf("%s %s: not an error document with %s: %w; body: %.300q", r.method, r.url, errorDetailPointer, err, r.body)
	}
	d, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s %s: %s is %s, want a string", r.method, r.url, errorDetailPointer, describe(v))
	}
	return d, nil
}

func (s *scenario) checkDetail(want string, prefix bool) error {
	want, err := s.expand(want)
	if err != nil {
		return err
	}
	got, err := s.errorDetail()
	if err != nil {
		return err
	}
	if got == want || (prefix && strings.HasPrefix(got, want)) {
		return nil
	}
	return fmt.Errorf("error detail is %q, want %q", got, want)
}

// checkJSONAPI checks the members JSON API allows at the top level and in
// resource objects, and that ids are strings.
func checkJSONAPI(r *response) error {
	top, ok := r.doc.(map[string]any)
	if !ok {
		return fmt.Errorf("the body is %s, want a JSON object", describe(r.doc))
	}
	if err := onlyKeys("the document", top, "data", "errors", "meta", "links", "jsonapi", "included"); err != nil {
		return err
	}
	var resources []any
	switch d := top["data"].(type) {
	case map[string]any:
		resources = []any{d}
	case []any:
		resources = d
	default:
		return fmt.Errorf("data is %s, want a resource object or an array of them", describe(top["data"]))
	}
	for i, e := range resources {
		res, ok := e.(map[string]any)
		if !ok {
			return fmt.Errorf("resource %d is %s, want an object", i, describe(e))
		}
		if err := onlyKeys(fmt.Sprintf("resource %d", i), res, "type", "id", "attributes", "relationships", "links", "meta"); err != nil {
			return err
		}
		if _, ok := res["id"].(string); !ok {
			return fmt.Errorf("resource %d: id is %s, want a string", i, describe(res["id"]))
		}
		if _, ok := res["type"].(string); !ok {
			return fmt.Errorf("resource %d: type is %s, want a string", i, describe(res["type"]))
		}
	}
	return nil
}

func onlyKeys(what string, obj map[string]any, allowed ...string) error {
	for k := range obj {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("%s has member %q; JSON API allows only %s", what, k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// checkTokenLifetime reads a JWT's claims (without verifying the signature,
// which only MaxScale can) and checks exp - iat.
func checkTokenLifetime(v any, want int64) error {
	tok, ok := v.(string)
	if !ok {
		return fmt.Errorf("token is %s, want a string", describe(v))
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return fmt.Errorf("token %q is not a JWT", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("token claims: %w", err)
	}
	var claims struct{ Iat, Exp int64 }
	if err := json.Unmarshal(raw, &claims); err != nil {
		return fmt.Errorf("token claims %s: %w", raw, err)
	}
	if got := claims.Exp - claims.Iat; got != want {
		return fmt.Errorf("token lives %d s (iat %d, exp %d), want %d", got, claims.Iat, claims.Exp, want)
	}
	return nil
}
