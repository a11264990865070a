package steps

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// knownValueSteps compare values of a session with what the scenario knows
// independently of the server: what its client sent, when it connected,
// what the system resolver says about its address, which servers its
// service has. A check of a type or of presence lets a wrong value pass;
// these do not.
func knownValueSteps() []stepDef {
	return []stepDef{
		def(`^the value at "([^"]*)" is the name the system resolver gives the address of client "([^"]+)"$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			c, err := s.client(a[1])
			if err != nil {
				return err
			}
			names := resolvedNames(ctx, c.host)
			return s.checkValue(a[0], func(v any) error {
				if str, ok := v.(string); ok && slices.Contains(names, str) {
					return nil
				}
				return fmt.Errorf("is %s, want the name the system resolver gives %s: one of %q", describe(v), c.host, names)
			})
		}),
		def(`^the value at "([^"]*)" is the connection attributes client "([^"]+)" sent$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			c, err := s.client(a[1])
			if err != nil {
				return err
			}
			want := c.attributes()
			return s.checkValue(a[0], func(v any) error {
				if !reflect.DeepEqual(v, want) {
					return fmt.Errorf("is %v, want what the client sent: %v", v, want)
				}
				return nil
			})
		}),
		def(`^the value at "([^"]*)" is at most the seconds since client "([^"]+)" connected$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			c, err := s.client(a[1])
			if err != nil {
				return err
			}
			// Measured after the response arrived, so it bounds the
			// server's count from above; MaxScale counts idle time in
			// ticks of 100 ms, which may round up.
			limit := time.Since(c.dialled).Seconds() + 0.5
			return s.checkValue(a[0], func(v any) error {
				n, ok := number(v)
				if !ok || n < 0 || n > limit {
					return fmt.Errorf("is %s, want a number from 0 to %.3f, the seconds since client %q began to connect", describe(v), limit, a[1])
				}
				return nil
			})
		}),
		def(`^the value at "([^"]*)" is the time client "([^"]+)" connected$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			c, err := s.client(a[1])
			if err != nil {
				return err
			}
			r, err := s.lastResponse()
			if err != nil {
				return err
			}
			// The server's own Date is the reference, so that a server
			// whose clock differs from ours is judged by its own clock: it
			// cannot be before the connection, nor more than the time since
			// the client began to connect after it (HTTP dates count whole
			// seconds, hence the second of slack).
			now, err := serverDate(r.header.Get("Date"))
			if err != nil {
				return err
			}
			age := time.Since(c.dialled) + time.Second
			return s.checkValue(a[0], func(v any) error {
				str, _ := v.(string)
				t, err := http.ParseTime(str)
				if err != nil {
					return fmt.Errorf("is %s, want an HTTP date", describe(v))
				}
				if t.After(now) || now.Sub(t) > age {
					return fmt.Errorf("is %s, want the time client %q connected: at most %s before the response's Date %s", str, a[1], age.Round(time.Millisecond), now.Format(http.TimeFormat))
				}
				return nil
			})
		}),
		def(`^the value at "([^"]*)" is a server of service "([^"]+)"$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			v, err := s.valueAt(a[0])
			if err != nil {
				return err
			}
			servers, err := s.serversOf(ctx, a[1])
			if err != nil {
				return err
			}
			if str, ok := v.(string); !ok || !slices.Contains(servers, str) {
				return fmt.Errorf("%s is %s, want one of the servers of %s: %q", a[0], describe(v), a[1], servers)
			}
			return nil
		}),
		def(`^the link at "([^"]*)" leads to page\[number\]=(\d+) of page\[size\]=(\d+) of "([^"]+)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			want, err := s.link(a[3])
			if err != nil {
				return err
			}
			return s.checkValue(a[0], func(v any) error {
				str, _ := v.(string)
				u, err := url.Parse(str)
				if err != nil || u.Query().Get("page[number]") != a[1] || u.Query().Get("page[size]") != a[2] {
					return fmt.Errorf("is %s, want a link to page[number]=%s with page[size]=%s", describe(v), a[1], a[2])
				}
				if u.RawQuery = ""; u.String() != want {
					return fmt.Errorf("is %s, want a link to %s with a page query", describe(v), want)
				}
				return nil
			})
		}),
		def(`^the value at "([^"]*)" is one of MaxScale's threads$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			v, err := s.valueAt(a[0])
			if err != nil {
				return err
			}
			ids, err := s.idsAt(ctx, "/v1/maxscale/threads", "/data")
			if err != nil {
				return err
			}
			if n, ok := v.(int64); !ok || !slices.Contains(ids, strconv.FormatInt(n, 10)) {
				return fmt.Errorf("%s is %s, want the number of one of MaxScale's threads %q", a[0], describe(v), ids)
			}
			return nil
		}),
		def(`^the session parameters of client "([^"]+)" other than "([^"]+)" are false$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			if _, err := s.getSession(ctx, a[0]); err != nil {
				return err
			}
			return s.checkValue("/data/attributes/parameters", func(v any) error {
				params, ok := v.(map[string]any)
				if !ok {
					return fmt.Errorf("is %s, want an object", describe(v))
				}
				for k, p := range params {
					if k != a[1] && p != false {
						return fmt.Errorf("has %s = %s, want false: only %s was changed", k, describe(p), a[1])
					}
				}
				return nil
			})
		}),
		def(`^the response lists exactly one of my clients (.+)$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			names := quoted(a[0])
			data, err := s.listedData()
			if err != nil {
				return err
			}
			var got []string
			for _, n := range names {
				c, err := s.client(n)
				if err != nil {
					return err
				}
				if slices.ContainsFunc(data, func(el any) bool { id, _ := pointerGet(el, "/id"); return id == c.id }) {
					got = append(got, n)
				}
			}
			if len(got) != 1 {
				return fmt.Errorf("of my clients %v, the response lists %v, want exactly one (%d sessions listed in all)", names, got, len(data))
			}
			return nil
		}),
	}
}

// resolvedNames is what the system resolver gives for ip, without the
// trailing dot of a DNS name; the address itself when it has no name
// (MaxScale then keeps the address).
func resolvedNames(ctx context.Context, ip string) []string {
	names, err := net.DefaultResolver.LookupAddr(ctx, ip)
	if err != nil || len(names) == 0 {
		return []string{ip}
	}
	for i, n := range names {
		names[i] = strings.TrimSuffix(n, ".")
	}
	return names
}

// attributes are the connection attributes the client sent in its
// handshake: go-sql-driver/mysql's own and the scenario's program_name.
func (c *sqlClient) attributes() map[string]any {
	host, _, _ := net.SplitHostPort(c.addr)
	return map[string]any{
		"_client_name": "Go-MySQL-Driver",
		"_os":          runtime.GOOS,
		"_platform":    runtime.GOARCH,
		"_pid":         strconv.Itoa(os.Getpid()),
		"_server_host": host,
		"program_name": c.program,
	}
}

// number is a JSON number as a float.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// serversOf returns the ids of the servers of a service, as the admin sees
// them.
func (s *scenario) serversOf(ctx context.Context, service string) ([]string, error) {
	return s.idsAt(ctx, "/v1/services/"+service, "/data/relationships/servers/data")
}

// idsAt GETs path as the admin and returns the ids of the resource
// identifiers in the array at ptr; the scenario's last response stays what
// it was.
func (s *scenario) idsAt(ctx context.Context, path, ptr string) ([]string, error) {
	last := s.last
	defer func() { s.last = last }()
	r, err := s.send(ctx, request{method: http.MethodGet, path: path, admin: true})
	if err != nil {
		return nil, err
	}
	if r.status != http.StatusOK {
		return nil, fmt.Errorf("GET %s answers %d, want 200", path, r.status)
	}
	v, err := pointerGet(r.doc, ptr)
	if err != nil {
		return nil, fmt.Errorf("GET %s: nothing at %s: %w", path, ptr, err)
	}
	list, _ := v.([]any)
	var ids []string
	for _, e := range list {
		if id, err := pointerGet(e, "/id"); err == nil {
			if str, ok := id.(string); ok {
				ids = append(ids, str)
			}
		}
	}
	return ids, nil
}
