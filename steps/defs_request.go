package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// requestSteps send requests and choose how they authenticate.
func requestSteps() []stepDef {
	return []stepDef{
		def(`^I send ([A-Z]+) "(.*)"(?: without a body)?$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			_, err := s.send(ctx, s.takeRequest(a[0], a[1], nil))
			return err
		}),
		defDoc(`^I send ([A-Z]+) "(.*)" with:$`, func(ctx context.Context, s *scenario, a []string, doc string) error {
			_, err := s.send(ctx, s.takeRequest(a[0], a[1], &doc))
			return err
		}),
		def(`^the next request has the header "([^"]+)" set to "(.*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			s.header.Set(a[0], a[1])
			return nil
		}),
		def(`^I send no credentials$`, func(_ context.Context, s *scenario, _ []string, _ string) error {
			s.auth = credentials{kind: "none"}
			return nil
		}),
		def(`^I use the admin user with the password "([^"]*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			s.auth = credentials{kind: "basic", user: s.target.User, pass: a[0]}
			return nil
		}),
		def(`^I use the user "([^"]*)" with the password "([^"]*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			s.auth = credentials{kind: "basic", user: a[0], pass: a[1]}
			return nil
		}),
		def(`^I use the read-only account$`, func(_ context.Context, s *scenario, _ []string, _ string) error {
			if s.target.ReadOnlyUser == "" {
				return fmt.Errorf("%w: the target has no read-only account", errSkipScenario)
			}
			s.auth = credentials{kind: "basic", user: s.target.ReadOnlyUser, pass: s.target.ReadOnlyPassword}
			return nil
		}),
		def(`^I use the token from the response as a bearer token$`, func(_ context.Context, s *scenario, _ []string, _ string) error {
			v, err := s.valueAt("/meta/token")
			if err != nil {
				return err
			}
			tok, ok := v.(string)
			if !ok || tok == "" {
				return fmt.Errorf("/meta/token is %s, want a token string", describe(v))
			}
			s.auth = credentials{kind: "bearer", token: tok}
			return nil
		}),
		def(`^I use the bearer token "([^"]*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			s.auth = credentials{kind: "bearer", token: a[0]}
			return nil
		}),
		def(`^I use the cookie "([^"]+)" from the response instead of a password$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			c, err := s.responseCookie(a[0])
			if err != nil {
				return err
			}
			s.auth = credentials{kind: "cookie", cookieName: c.Name, cookieValue: c.Value}
			return nil
		}),
		def(`^the server's clock has passed "([^"]+)"$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			v, err := s.expand(a[0])
			if err != nil {
				return err
			}
			mark, err := http.ParseTime(v)
			if err != nil {
				return fmt.Errorf("%q is not an HTTP date: %w", v, err)
			}
			return poll(ctx, 3*time.Second, func() error {
				r, err := s.send(ctx, request{method: http.MethodGet, path: "/v1/", admin: true})
				if err != nil {
					return err
				}
				now, err := serverDate(r.header.Get("Date"))
				if err != nil {
					return err
				}
				if !now.After(mark) {
					return fmt.Errorf("the server's Date %s is not after %s yet", now.Format(http.TimeFormat), v)
				}
				return nil
			})
		}),
		def(`^I note the response header "([^"]+)" as "([^"]+)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			r, err := s.lastResponse()
			if err != nil {
				return err
			}
			v := r.header.Get(a[0])
			if v == "" {
				return fmt.Errorf("the response has no %s header; headers: %v", a[0], r.header)
			}
			s.notes[a[1]] = v
			return nil
		}),
	}
}

// takeRequest builds a request with the headers set for it, and clears them:
// a header step applies to the next request only.
func (s *scenario) takeRequest(method, path string, body *string) request {
	rq := request{method: method, path: path, body: body, header: s.header}
	s.header = http.Header{}
	return rq
}

// serverDate parses a Date header, also in the two-digit-year form MaxScale
// 24.02 sends (x-observed date-two-digit-year).
func serverDate(v string) (time.Time, error) {
	if t, err := http.ParseTime(v); err == nil {
		return t, nil
	}
	t, err := time.Parse("Mon, 02 Jan 06 15:04:05 MST", v)
	if err != nil {
		return time.Time{}, fmt.Errorf("Date header %q: %w", v, err)
	}
	return t, nil
}

// errNoResponse means a step looks at a response before any was received.
var errNoResponse = errors.New("no response yet: send a request first")

func (s *scenario) lastResponse() (*response, error) {
	if s.last == nil {
		return nil, errNoResponse
	}
	return s.last, nil
}

// responseCookie returns the cookie called name that the last response set.
func (s *scenario) responseCookie(name string) (*http.Cookie, error) {
	r, err := s.lastResponse()
	if err != nil {
		return nil, err
	}
	for _, line := range r.header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err == nil && c.Name == name {
			return c, nil
		}
	}
	return nil, fmt.Errorf("the response sets no cookie %q; Set-Cookie: %q", name, r.header.Values("Set-Cookie"))
}
