package simulator

import (
	"fmt"
	"net/http"

	"github.com/mxharness/mxharness/simulator/control"
)

// controlPrefix is where the simulator's own control API lives, next to
// MaxScale's /v1 (docs/CONTROL.md).
const controlPrefix = "/sim/v1/"

// WithControlAPI serves the control API (package control: synthetic
// sessions, kill and age, fault injection, clock, reset, seeds) on
// /sim/v1/ of the REST API's port, behind the REST API's accounts, and
// puts its fault injection in front of the REST API. It needs a clock that
// can be frozen and advanced (clock.Sim, the default).
func WithControlAPI() Option { return func(o *options) { o.control = true } }

// withControl wraps the REST handler with the control API.
func (s *Server) withControl(rest http.Handler) (http.Handler, error) {
	clk, ok := s.clock.(control.Clock)
	if !ok {
		return nil, fmt.Errorf("control API: the clock %T cannot be frozen and advanced", s.clock)
	}
	faults, err := control.NewFaults(clk.Now, s.logger)
	if err != nil {
		return nil, err
	}
	ctl, err := control.New(s.reg, clk, faults, control.WithLogger(s.logger.With("component", "control")))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(controlPrefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.preflight(w, r) || s.serveContract(w, r) {
			return
		}
		// The REST API's accounts and rules: read-only users may only read.
		if d := s.auth.Authorize(r); !d.Allowed {
			s.writeStatic(w, r, d.Reply)
			return
		}
		ctl.ServeHTTP(w, r)
	}))
	mux.Handle("/", faults.Wrap(rest))
	return mux, nil
}
