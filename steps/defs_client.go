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
			return c.selectOne(ctx)
		}),
		def(`^the client "([^"]+)" starts the query "([^"]+)"$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			c, err := s.client(a[0])
			if err != nil {
				return err
			}
			s.awaitQuiet(ctx, c)
			if err := c.start(ctx, a[1]); err != nil {
				return err
			}
			return s.awaitRunning(ctx, c, a[1])
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

// sessionIdle is the session's idle attribute in seconds, and whether the
// target showed one.
func (s *scenario) sessionIdle(ctx context.Context, c *sqlClient) (float64, bool) {
	v, _ := pointerGet(s.peekSession(ctx, c), "/data/attributes/idle")
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// A started query must meet a busy session: "while the client runs a query"
// means MaxScale has read and routed it. Its REST API shows that, without a
// race, in idle (session.cc, session_to_json): 0 while the client connection
// waits for a reply (MariaDBClientConnection::is_idle: m_num_responses > 0,
// counted in the same event handler that routes the query), otherwise the
// time since the client socket's last read or write, in ticks of 0.1 s. So
// idle is also 0 within a tick of any client traffic. awaitQuiet waits,
// before the query is sent, until idle is above 0: the client socket has been
// quiet for a tick and nothing is waiting to be read or written. From then on
// only reading the query can bring idle back to 0, and that makes the session
// busy until the reply (5 s for SLEEP(5)), which awaitRunning waits for.
// A query MaxScale answers without the server (from my-cache-filter; see
// sqlClient.unique) never makes the session busy, and awaitRunning says so.
// io_activity, which the steps waited on before, proves nothing: it counts
// events on every socket of the session, the backends' included.
func (s *scenario) awaitQuiet(ctx context.Context, c *sqlClient) {
	_ = poll(ctx, 5*time.Second, func() error {
		if idle, ok := s.sessionIdle(ctx, c); ok && idle == 0 {
			return errors.New("the client connection was used within the last tick")
		}
		return nil
	})
}

// awaitRunning waits until the target shows the session busy with the
// query the client has sent (idle 0, see awaitQuiet).
func (s *scenario) awaitRunning(ctx context.Context, c *sqlClient, stmt string) error {
	err := poll(ctx, 3*time.Second, func() error {
		if idle, ok := s.sessionIdle(ctx, c); !ok || idle != 0 {
			return fmt.Errorf("the session shows idle %v", idle)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("client %q sent %q, but the target does not show its session running it: %w", c.name, stmt, err)
	}
	return nil
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
