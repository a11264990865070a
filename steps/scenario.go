package steps

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// scenario is the state of one running scenario. godog calls the scenario
// initializer once per scenario, so nothing here is shared between scenarios.
type scenario struct {
	run    *runner
	target Target
	tags   map[string]bool
	name   string
	uri    string
	// prefix makes this scenario's program_name attributes unique, so that
	// its clients can be told apart from anybody else's sessions.
	prefix string

	auth     credentials
	header   http.Header // headers for the next request only
	last     *response   // the last response any step received
	notes    map[string]string
	clients  map[string]*sqlClient
	order    []string // client names in connection order
	backends map[string][]int64
	unusedID string

	mu        sync.Mutex // guards what the result collector reads
	stepText  string
	stepFrom  StepResult // the current step's keyword, line and definition
	stepDev   string     // ledger id seen in the current step
	stepNote  string     // why the current step is a changed deviation
	steps     []StepResult
	exchanges []Exchange
	devs      []string
	changed   bool // a required ledger entry applied but the server conformed
	failed    bool // a step failed
	chgFail   bool // a step failed as a changed deviation
	skipped   bool
	skipWhy   string // why it was skipped
	line      int    // the line of the scenario, or of its Examples row
	started   time.Time
}

// credentials say how the next REST requests authenticate.
type credentials struct {
	kind        string // "basic", "none", "bearer" or "cookie"
	user, pass  string
	token       string
	cookieName  string
	cookieValue string
}

func newScenario(r *runner) *scenario {
	return &scenario{
		run:      r,
		target:   r.target,
		tags:     map[string]bool{},
		prefix:   fmt.Sprintf("mxh-%08x", rand.Uint32()),
		auth:     credentials{kind: "basic", user: r.target.User, pass: r.target.Password},
		header:   http.Header{},
		notes:    map[string]string{},
		clients:  map[string]*sqlClient{},
		backends: map[string][]int64{},
		// A positive id far above anything a test run reaches: MaxScale
		// answers it as a well-formed id that names no session.
		unusedID: strconv.FormatUint(9_000_000_000+rand.Uint64N(1_000_000_000), 10),
	}
}

// begin starts the scenario called name.
func (s *scenario) begin(name, uri string, tags []string) {
	s.name, s.uri, s.started = name, uri, time.Now()
	for _, t := range tags {
		s.tags[t] = true
	}
}

// close ends every client connection the scenario opened.
func (s *scenario) close() {
	for _, c := range s.clients {
		c.close()
	}
}

var quotedName = regexp.MustCompile(`"([^"]*)"`)

var placeholder = regexp.MustCompile(`\{([A-Za-z0-9_-]+)(?:\.(port|program|host))?\}`)

// expand replaces {name} with the session id of client name (the connection
// id it received), {name.port} with its local port, {name.host} with its
// local address, {name.program} with its program_name attribute,
// {unused-id} with an id no session has, {sql-user} with the user the
// clients log in as, and {note} with a value noted earlier. An unknown placeholder is an error, so a typo
// in a feature never silently becomes part of a URL.
func (s *scenario) expand(text string) (string, error) {
	var err error
	out := placeholder.ReplaceAllStringFunc(text, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		name, field := sub[1], sub[2]
		if c, ok := s.clients[name]; ok {
			switch field {
			case "port":
				return strconv.Itoa(c.port)
			case "program":
				return c.program
			case "host":
				return c.host
			default:
				return c.id
			}
		}
		if field == "" {
			switch name {
			case "unused-id":
				return s.unusedID
			case "sql-user":
				return s.target.SQLUser
			}
			if v, ok := s.notes[name]; ok {
				return v
			}
		}
		if err == nil {
			err = fmt.Errorf("unknown placeholder %s: no client or note of that name", m)
		}
		return m
	})
	return out, err
}

// client returns the connected client called name.
func (s *scenario) client(name string) (*sqlClient, error) {
	c, ok := s.clients[name]
	if !ok {
		return nil, fmt.Errorf("no client %q in this scenario", name)
	}
	return c, nil
}

// quoted returns every "quoted" name in text: `"a", "b" and "c"` → a, b, c.
// The word none gives an empty list.
func quoted(text string) []string {
	var names []string
	for _, m := range quotedName.FindAllStringSubmatch(text, -1) {
		names = append(names, m[1])
	}
	return names
}

// commaList splits "a, b, c" into its trimmed, non-empty items.
func commaList(text string) []string {
	var items []string
	for _, it := range strings.Split(text, ",") {
		if it = strings.TrimSpace(it); it != "" {
			items = append(items, it)
		}
	}
	return items
}

// poll runs check every 100 ms until it succeeds or d has passed, and
// returns its last error. It is how steps wait for deferred effects (a ttl,
// a closed socket) without sleeping for a fixed time.
func poll(ctx context.Context, d time.Duration, check func() error) error {
	deadline := time.Now().Add(d)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still after %s: %w", d, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}
