package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// clientSteps open and use real SQL client connections.
func clientSteps() []stepDef {
	return []stepDef{
		def(`^a client "([^"]+)" is connected to "([^"]+)"$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			return s.connect(ctx, a[0], a[1])
		}),
		def(`^clients (.+) are connected to "([^"]+)"$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			names := quoted(a[0])
			if len(names) == 0 {
				return fmt.Errorf("no client names in %q", a[0])
			}
			for _, n := range names {
				if err := s.connect(ctx, n, a[1]); err != nil {
					return err
				}
			}
			return nil
		}),
		def(`^the client "([^"]+)" (?:runs|can run) a query$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			c, err := s.client(a[0])
			if err != nil {
				return err
			}
			return c.query(ctx, "SELECT 1")
		}),
		def(`^the client "([^"]+)" starts the query "([^"]+)"$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			c, err := s.client(a[0])
			if err != nil {
				return err
			}
			before := s.ioActivity(ctx, c)
			if err := c.start(ctx, a[1]); err != nil {
				return err
			}
			s.awaitQueryRead(ctx, c, before)
			return nil
		}),
		def(`^the query of client "([^"]+)" finishes$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			c, err := s.client(a[0])
			if err != nil {
				return err
			}
			return c.finish(ctx)
		}),
		def(`^the client "([^"]+)" disconnects$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			c, err := s.client(a[0])
			if err != nil {
				return err
			}
			c.close()
			return nil
		}),
		def(`^within (\d+) seconds the connection of client "([^"]+)" is closed$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			c, err := s.client(a[1])
			if err != nil {
				return err
			}
			return poll(ctx, seconds(a[0]), func() error {
				if err := c.ping(ctx); err == nil {
					return fmt.Errorf("client %q: the connection still answers", c.name)
				}
				return nil
			})
		}),
	}
}

// connect opens client name through the listener of service. Its
// program_name attribute is unique to this scenario, so that the scenario
// can tell its sessions from anybody else's.
func (s *scenario) connect(ctx context.Context, name, service string) error {
	if _, dup := s.clients[name]; dup {
		return fmt.Errorf("client %q is already connected", name)
	}
	addr := s.target.SQLAddrs[service]
	if addr == "" {
		if service == "Read-Connection-Router" {
			return fmt.Errorf("%w: the target has no %s listener", errSkipScenario, service)
		}
		return fmt.Errorf("the target has no listener for service %q", service)
	}
	c, err := connectClient(ctx, name, service, addr, s.target.SQLUser, s.target.SQLPassword, s.prefix+"-"+name)
	if err != nil {
		return err
	}
	s.clients[name] = c
	s.order = append(s.order, name)
	s.awaitBackends(ctx, c)
	return nil
}

// awaitBackends waits (up to 5 s) until the new session's backend
// connections have ended their handshakes with the servers. Until then real
// MaxScale shows them with connection_id 0 and counts the session as busy:
// it defers a filter change to the client's next query (session.cc,
// Session::update and routeQuery), which a scenario that acts right after
// connecting would take for a deviation. The simulator connects at once.
func (s *scenario) awaitBackends(ctx context.Context, c *sqlClient) {
	_ = poll(ctx, 5*time.Second, func() error {
		conns, _ := pointerGet(s.peekSession(ctx, c), "/data/attributes/connections")
		list, _ := conns.([]any)
		for _, cn := range list {
			if id, _ := pointerGet(cn, "/connection_id"); id == int64(0) {
				return errors.New("a backend connection is still connecting")
			}
		}
		return nil
	})
}

// ioActivity is the session's io_activity (-1 when it cannot be read).
func (s *scenario) ioActivity(ctx context.Context, c *sqlClient) int64 {
	v, _ := pointerGet(s.peekSession(ctx, c), "/data/attributes/io_activity")
	if n, ok := v.(int64); ok {
		return n
	}
	return -1
}

// awaitQueryRead waits (up to 2 s) until the target has read the query the
// client just wrote, seen as io_activity growing past before. A query on
// the socket that the server has not read yet leaves the session idle, and
// a change that the documentation says applies "even while a query runs"
// would meet an idle session instead.
func (s *scenario) awaitQueryRead(ctx context.Context, c *sqlClient, before int64) {
	if before < 0 {
		return
	}
	_ = poll(ctx, 2*time.Second, func() error {
		if s.ioActivity(ctx, c) > before {
			return nil
		}
		return errors.New("the query is not read yet")
	})
}

// peekSession GETs the session of c with the admin account and returns the
// decoded document, or nil. These GETs are the harness waiting, not steps:
// they are neither recorded nor checked against the contract, and a failure
// is left to the steps that follow.
func (s *scenario) peekSession(ctx context.Context, c *sqlClient) any {
	u := strings.TrimSuffix(s.target.APIURL, "/") + "/v1/sessions/" + c.id
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil
	}
	credentials{kind: "basic", user: s.target.User, pass: s.target.Password}.apply(req)
	resp, err := s.run.httpClient.Do(req)
	if err != nil {
		return nil
	}
	raw, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil
	}
	doc, err := decodeJSON(raw)
	if err != nil {
		return nil
	}
	return doc
}
func seconds(digits string) time.Duration {
	n, _ := strconv.Atoi(digits)
	return time.Duration(n) * time.Second
}

// errStillThere is what polling for a session's end reports while it lasts.
var errStillThere = errors.New("still there")
