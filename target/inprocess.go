// Package target wires servers into a steps.Target. InProcess starts the
// simulator in this process on loopback ports chosen by the kernel, so that
// the suite runs against it with no network and no fixed port.
package target

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/steps"
)

// Option configures InProcess.
type Option func(*options)

type options struct {
	sim    []simulator.Option
	logger *slog.Logger
}

// WithSimulatorOptions passes options (a clock, a logger) to simulator.Start.
func WithSimulatorOptions(opts ...simulator.Option) Option {
	return func(o *options) { o.sim = append(o.sim, opts...) }
}

// WithLogger logs errors of the simulator's shutdown to l.
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
	return t, stop, nil
}
