// Package target wires servers into a steps.Target. InProcess starts the
// simulator in this process on loopback ports chosen by the kernel, so that
// the suite runs against it with no network and no fixed port.
package target

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/steps"
)

// Option configures InProcess.
type Option func(*options)

type options struct {
	middleware func(http.Handler) http.Handler
	sim        []simulator.Option
	logger     *slog.Logger
}

// WithMiddleware puts mw in front of the simulator's REST API: the target's
// API URL is then a server of its own that serves mw(simulator handler).
// Tests use it to build deliberately broken variants of the simulator.
func WithMiddleware(mw func(http.Handler) http.Handler) Option {
	return func(o *options) { o.middleware = mw }
}

// WithSimulatorOptions passes options (a clock, a logger) to simulator.Start.
func WithSimulatorOptions(opts ...simulator.Option) Option {
	return func(o *options) { o.sim = append(o.sim, opts...) }
}

// WithLogger logs errors of the simulator's shutdown and of the middleware
// server to l.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// InProcess starts the simulator with MaxScale's default configuration in
// the given profile ("documented" or "maxscale-24.02"), its REST API and
// every listener on 127.0.0.1:0, and returns it as a target with the
// configuration's admin, read-only and SQL accounts. The returned function
// stops it.
func InProcess(ctx context.Context, profile string, opts ...Option) (steps.Target, func(), error) {
	o := options{logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	cfg := config.Default()
	cfg.API.Address = "127.0.0.1:0"
	for i := range cfg.Services {
		cfg.Services[i].Listener = "127.0.0.1:0"
	}
	run, err := simulator.Start(ctx, cfg, append([]simulator.Option{simulator.WithProfile(profile)}, o.sim...)...)
	if err != nil {
		return steps.Target{}, nil, fmt.Errorf("start the simulator (%s): %w", profile, err)
	}
	t := steps.Target{
		Name:      "simulator (" + profile + ")",
		APIURL:    run.APIURL,
		SQLAddrs:  run.SQLAddrs,
		Simulator: true,
	}
	for _, u := range cfg.API.Users {
		switch {
		case u.Account == config.AccountAdmin && t.User == "":
			t.User, t.Password = u.Name, u.Password
		case u.Account == config.AccountBasic && t.ReadOnlyUser == "":
			t.ReadOnlyUser, t.ReadOnlyPassword = u.Name, u.Password
		}
	}
	if len(cfg.SQLUsers) > 0 {
		t.SQLUser, t.SQLPassword = cfg.SQLUsers[0].Name, cfg.SQLUsers[0].Password
	}
	stop := func() {
		if err := run.Close(); err != nil {
			o.logger.Error("simulator stopped with an error", "err", err)
		}
	}
	if o.middleware != nil {
		url, stopFront, err := serveFront(o.middleware(run.Server.Handler()), o.logger)
		if err != nil {
			stop()
			return steps.Target{}, nil, err
		}
		t.APIURL = url
		stopSim := stop
		stop = func() { stopFront(); stopSim() }
	}
	return t, stop, nil
}

// serveFront serves h on a new loopback port and returns its base URL and a
// function that stops it.
func serveFront(h http.Handler, logger *slog.Logger) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen for the middleware: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("middleware server", "err", err)
		}
	}()
	return "http://" + ln.Addr().String(), func() {
		_ = srv.Close()
		<-done
	}, nil
}
