package steps

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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
			return c.start(ctx, a[1])
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
	return nil
}

func seconds(digits string) time.Duration {
	n, _ := strconv.Atoi(digits)
	return time.Duration(n) * time.Second
}

// errStillThere is what polling for a session's end reports while it lasts.
var errStillThere = errors.New("still there")
