// Package simulator is a MaxScale 24.02 simulator for the session resource
// of its REST API: sessions are real client connections on the services'
// SQL listeners (package wire, on vitess' MySQL protocol), the REST API is
// routed by the OpenAPI contract's operationIds (package spec), and what
// MaxScale 24.02.4 does where it departs from its documentation is chosen
// by a profile (WithProfile) from the contract's recorded deviations.
//
// New builds a Server; Handler serves the REST API; ServeMySQL serves one
// service's SQL listener; Start does all of it on the configured
// addresses.
package simulator

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/mxharness/mxharness/simulator/auth"
	"github.com/mxharness/mxharness/simulator/clock"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/jsonapi"
	"github.com/mxharness/mxharness/simulator/maxlog"
	"github.com/mxharness/mxharness/simulator/recent"
	"github.com/mxharness/mxharness/simulator/session"
	"github.com/mxharness/mxharness/simulator/wire"
	"github.com/mxharness/mxharness/spec"
)

// Resolver does reverse DNS for ?rdns=true: it returns the host name of ip.
type Resolver func(ctx context.Context, ip string) (string, error)

// Server is one simulated MaxScale.
type Server struct {
	cfg      config.Config
	logger   *slog.Logger
	clock    clock.Clock
	profile  *profile
	resolver Resolver

	reg         *session.Registry
	sql         *wire.Listener
	auth        *auth.Authenticator
	router      routers.Router
	routes      routeMemo // the router's answers, by method and path
	ops         map[string]operation
	handler     http.Handler // the REST API, with the control API when asked for
	templates   []template
	lastMod     *jsonapi.LastModified
	pending     jsonapi.ErrorBuffer
	docs        *recent.List[string, *keptBody] // bodies of collection GETs, by keptKey
	matches     *jsonapi.Matches                // the rows filters kept, by registry version (listSessions)
	startedAt   time.Time                       // MaxScale's started_at, for /v1/maxscale
	tagSeed     uint64                          // random: collection ETags of two servers never meet (collectionTag)
	notFoundLog logThrottle                     // MaxScale's log throttling of "<x> is not a <type>" (not-found-error-throttled)
	maxlog      *maxlog.Log                     // the simulator's own log lines, for /v1/maxscale/logs
	logins      logins                          // last_login of each REST account
	bound       sync.Map                        // service name → the HOST:PORT its listener serves on
	cors        string                          // WithCORS origin; "" when off
	strict      bool                            // WithStrictRequests
	controlOn   bool                            // WithControlAPI
	gui         fs.FS                           // WithGUI; nil when off
}

// Option configures a Server.
type Option func(*options)

type options struct {
	logger   *slog.Logger
	clock    clock.Clock
	profile  string
	resolver Resolver
	control  bool
	cors     string
	strict   bool
	gui      fs.FS
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithClock sets the simulator's clock (default: clock.New(), real time).
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithProfile selects the behaviour profile: "maxscale-24.02" (default,
// what MaxScale 24.02.4 does), another release line's "maxscale-MAJOR.MINOR"
// (Profiles lists them) or "documented" (what its documentation says).
// Profiles never reproduce a security flaw or a crash.
func WithProfile(name string) Option { return func(o *options) { o.profile = name } }

// WithResolver sets the reverse-DNS resolver used for ?rdns=true (default:
// net.DefaultResolver.LookupAddr).
func WithResolver(r func(ctx context.Context, ip string) (string, error)) Option {
	return func(o *options) { o.resolver = r }
}

// New builds a simulator for cfg. It listens on nothing: serve Handler over
// HTTP and call ServeMySQL per service, or use Start.
func New(cfg config.Config, opts ...Option) (*Server, error) {
	o := options{logger: slog.New(slog.DiscardHandler), profile: ProfileMaxScale, resolver: lookupAddr}
	for _, opt := range opts {
		opt(&o)
	}
	if o.clock == nil {
		o.clock = clock.New()
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("simulator config: %w", err)
	}
	// The simulator's own log lines are MaxScale's log (logs/data).
	mlog := maxlog.New(o.clock.Now, logRows)
	o.logger = slog.New(maxlog.Handler(o.logger.Handler(), mlog))
	prof, err := loadProfile(o.profile)
	if err != nil {
		return nil, err
	}
	router, err := spec.NewRouter()
	if err != nil {
		return nil, fmt.Errorf("simulator: %w", err)
	}
	regOpts := []session.Option{session.WithLogger(o.logger.With("component", "sessions")),
		session.WithDeferral(prof.observed(devFilterDeferred), prof.observed(devRestartDeferred))}
	if !prof.observed(devNoLogDebug) {
		regOpts = append(regOpts, session.WithLogDebug())
	}
	reg := session.New(cfg, o.clock, regOpts...)
	sql, err := wire.New(reg, o.clock, cfg.SQLUsers, o.logger)
	if err != nil {
		reg.Close()
		return nil, err
	}
	users := make([]auth.User, len(cfg.API.Users))
	for i, u := range cfg.API.Users {
		users[i] = auth.User{Name: u.Name, Password: u.Password, Account: auth.Account(u.Account)}
	}
	s := &Server{
		cfg: cfg, logger: o.logger.With("component", "rest"), clock: o.clock, profile: prof,
		resolver: o.resolver, reg: reg, sql: sql, router: router,
		auth: auth.New(users, auth.WithClock(o.clock.Now), auth.WithLogger(o.logger),
			auth.WithDeviations(prof.observed)),
		lastMod:   jsonapi.NewLastModified(o.clock.Now()),
		docs:      newDocCache(),
		matches:   jsonapi.NewMatches(),
		startedAt: o.clock.Now(),
		tagSeed:   rand.Uint64(),
		maxlog:    mlog,
		cors:      o.cors, strict: o.strict, controlOn: o.control, gui: o.gui,
	}
	s.ops = s.operations()
	if s.templates, err = templates(); err != nil {
		reg.Close()
		return nil, err
	}
	s.logger.Info("MaxScale simulator started", "version", prof.version, "threads", cfg.Threads, "profile", prof.name)
	s.handler = http.HandlerFunc(s.serveHTTP)
	if o.control {
		if s.handler, err = s.withControl(s.handler); err != nil {
			reg.Close()
			return nil, err
		}
	}
	return s, nil
}

func lookupAddr(ctx context.Context, ip string) (string, error) {
	names, err := net.DefaultResolver.LookupAddr(ctx, ip)
	if err != nil {
		return "", err
	}
	if len(names) == 0 {
		return "", fmt.Errorf("no name for %s", ip)
	}
	// A DNS answer ends in a dot; getnameinfo, which MaxScale asks, gives
	// the name without it.
	return strings.TrimSuffix(names[0], "."), nil
}

// Handler returns the REST API handler (with the control API on /sim/v1/
// when WithControlAPI was given).
func (s *Server) Handler() http.Handler { return s.handler }

// Registry returns the session registry, for the control API.
func (s *Server) Registry() *session.Registry { return s.reg }

// Clock returns the simulator's clock.
func (s *Server) Clock() clock.Clock { return s.clock }

// ServeMySQL serves the SQL listener of the named service on ln until ctx
// ends; then it closes ln and the connections it accepted.
func (s *Server) ServeMySQL(ctx context.Context, ln net.Listener, service string) error {
	if _, ok := s.cfg.Service(service); !ok {
		ln.Close()
		return fmt.Errorf("serve mysql: unknown service %q", service)
	}
	s.bound.Store(service, ln.Addr().String())
	return s.sql.Serve(ctx, ln, service)
}

// listenAddr is where the service's listener serves: the bound address
// once ServeMySQL runs (a configured port 0 is then the real one), else
// the configured one.
func (s *Server) listenAddr(svc config.Service) string {
	if a, ok := s.bound.Load(svc.Name); ok {
		return a.(string)
	}
	return svc.Listener
}

// Close kills every session, closing the clients' sockets, and stops the
// TTL sweep.
func (s *Server) Close() { s.reg.Close() }
