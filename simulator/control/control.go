// Package control implements the simulator's control API (/sim/v1, described
// by spec/control.yaml) and the fault-injection middleware that wraps the
// MaxScale REST API. The control API creates synthetic sessions, kills and
// ages sessions, injects faults, drives the simulator's clock and resets the
// simulator. Routes come from the control spec: a request is matched by the
// kin-openapi router and dispatched by operationId.
package control

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/mxharness/mxharness/simulator/seed"
	"github.com/mxharness/mxharness/simulator/session"
	"github.com/mxharness/mxharness/spec"
)

// Registry is what the control API needs of the simulator's sessions.
// Errors wrap ErrNotFound for an unknown session and ErrInvalid for input
// the registry refuses (an unknown service or filter, say).
type Registry interface {
	seed.Registry
	// Kill kills the session now (ttl 0) or when ttl seconds of simulator
	// time have passed.
	Kill(id string, ttl int) error
	// Age moves the session's creation and last activity back by d.
	Age(id string, d time.Duration) error
	// Reset kills every session, closes real clients' sockets, clears
	// session parameters and filters and restarts the id counter at 1.
	Reset()
}

// Clock is what the control API needs of the simulator's clock.
type Clock interface {
	Now() time.Time
	Frozen() bool
	Freeze()
	Unfreeze()
	// Advance moves the clock forward by d and runs what falls due.
	Advance(d time.Duration)
}

// Option configures the control API.
type Option func(*Control)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *Control) { c.logger = l } }

// Control serves the control API.
type Control struct {
	reg    Registry
	clock  Clock
	faults *Faults
	logger *slog.Logger
	router routers.Router
	ops    map[string]handlerFunc
}

// handlerFunc handles one operation; params are the route's path parameters.
type handlerFunc func(w http.ResponseWriter, r *http.Request, params map[string]string)

// New returns the control API's handler. It expects requests with their full
// path (/sim/v1/...), already authenticated; faults must be the instance
// that wraps the REST API.
func New(reg Registry, clock Clock, faults *Faults, opts ...Option) (*Control, error) {
	doc, err := spec.LoadControl()
	if err != nil {
		return nil, fmt.Errorf("control API: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("control API router: %w", err)
	}
	c := &Control{reg: reg, clock: clock, faults: faults, router: router,
		logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(c)
	}
	c.logger = c.logger.With("component", "control")
	c.ops = map[string]handlerFunc{
		"createSyntheticSessions": c.createSyntheticSessions,
		"killSession":             c.killSession,
		"ageSession":              c.ageSession,
		"listFaults":              c.listFaults,
		"createFault":             c.createFault,
		"clearFaults":             c.clearFaults,
		"getFault":                c.getFault,
		"deleteFault":             c.deleteFault,
		"getClock":                c.getClock,
		"updateClock":             c.updateClock,
		"advanceClock":            c.advanceClock,
		"resetSimulator":          c.resetSimulator,
		"listSeeds":               c.listSeeds,
		"applySeed":               c.applySeed,
	}
	return c, nil
}

// ServeHTTP routes by the control spec and dispatches by operationId.
func (c *Control) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route, params, err := c.router.FindRoute(r)
	switch {
	case errors.Is(err, routers.ErrMethodNotAllowed):
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s", r.Method, r.URL.Path))
		return
	case err != nil:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no control API route %s %s", r.Method, r.URL.Path))
		return
	}
	h, ok := c.ops[route.Operation.OperationID]
	if !ok {
		// A spec operation without a handler; TestEveryOperationHasAHandler prevents it.
		writeError(w, http.StatusNotImplemented, "operation "+route.Operation.OperationID+" is not implemented")
		return
	}
	h(w, r, params)
}

// writeErr maps an error of the registry or of input validation to a status
// and MaxScale's error body.
func (c *Control) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrInvalid), errors.Is(err, session.ErrInvalid):
		status = http.StatusBadRequest
	case errors.Is(err, ErrNotFound), errors.Is(err, session.ErrNotFound):
		status = http.StatusNotFound
	default:
		c.logger.ErrorContext(r.Context(), "control request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, status, err.Error())
}

func writeError(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, errorsDocument(detail))
}
