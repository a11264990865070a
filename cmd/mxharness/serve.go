package main

import (
	"context"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/seed"
	"github.com/mxharness/mxharness/simulator/wire"
)

func init() {
	commands["serve"] = command{
		summary: "run the MaxScale 24.02 simulator (REST API and SQL listeners)",
		run:     serve,
	}
}

// listenFlags collects repeated --listen SERVICE=HOST:PORT flags.
type listenFlags map[string]string

func (l listenFlags) String() string {
	parts := make([]string, 0, len(l))
	for k, v := range l {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ",")
}

func (l listenFlags) Set(v string) error {
	name, addr, ok := strings.Cut(v, "=")
	if !ok || name == "" || addr == "" {
		return fmt.Errorf("%q is not SERVICE=HOST:PORT", v)
	}
	l[name] = addr
	return nil
}

const serveUsage = `usage: mxharness serve [flags]

Runs a MaxScale 24.02 simulator: the REST API and one SQL listener per service.

`

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", serveUsage, stderr)
	configPath := fs.String("config", "", "YAML configuration `file` (docs/CONFIG.md); default: MaxScale's defaults")
	apiAddr := fs.String("api-addr", "", "REST API `HOST:PORT` (default from the configuration: 127.0.0.1:8989)")
	listen := listenFlags{}
	fs.Var(listen, "listen", "`SERVICE=HOST:PORT` listener address of a service (repeatable)")
	profile := fs.String("profile", simulator.ProfileMaxScale, "behaviour `profile`: "+profileList()+" (maxscale-X.Y: what that MaxScale release line does; documented: what its docs say)")
	seedName := fs.String("seed", "", "create the synthetic sessions of a seed data `set` at start ("+strings.Join(seed.Names(), ", ")+")")
	noControl := fs.Bool("no-control", false, "do not serve the control API on /sim/v1/ (docs/CONTROL.md)")
	corsOrigin := fs.String("cors-origin", "", "answer browsers from `ORIGIN` (\"*\" for any) as MaxScale with CORS enabled (docs/FRONTEND.md); default off")
	guiDir := fs.String("gui", "", "serve the built MaxGUI in `DIR` at / as MaxScale does (scripts/maxgui-build.sh builds it; docs/FRONTEND.md)")
	strict := fs.Bool("strict-requests", false, "reject requests that depart from the contract with a 400 naming the rule (docs/FRONTEND.md)")
	logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn, error")
	logFormat := fs.String("log-format", "text", "log `format`: text or json")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	logger, err := newLogger(stderr, *logLevel, *logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "mxharness serve:", err)
		return 2
	}
	if _, ok := seed.Lookup(*seedName); *seedName != "" && !ok {
		fmt.Fprintf(stderr, "mxharness serve: unknown seed %q (known: %s)\n", *seedName, strings.Join(seed.Names(), ", "))
		return 2
	}
	wire.RouteVitessLogs(logger)
	cfg := config.Default()
	if *configPath != "" {
		if cfg, err = config.Load(*configPath); err != nil {
			fmt.Fprintln(stderr, "mxharness serve:", err)
			return 2
		}
	}
	if err := cfg.Override(*apiAddr, listen); err != nil {
		fmt.Fprintln(stderr, "mxharness serve:", err)
		return 2
	}
	opts := []simulator.Option{simulator.WithLogger(logger), simulator.WithProfile(*profile)}
	if !*noControl {
		opts = append(opts, simulator.WithControlAPI())
	}
	if *corsOrigin != "" {
		opts = append(opts, simulator.WithCORS(*corsOrigin))
	}
	if *strict {
		opts = append(opts, simulator.WithStrictRequests())
	}
	if *guiDir != "" {
		gui, err := openGUI(*guiDir)
		if err != nil {
			fmt.Fprintln(stderr, "mxharness serve:", err)
			return 2
		}
		opts = append(opts, simulator.WithGUI(gui))
	}
	run, err := simulator.Start(ctx, cfg, opts...)
	if err != nil {
		fmt.Fprintln(stderr, "mxharness serve:", err)
		return 1
	}
	if *seedName != "" {
		if err := seed.Apply(run.Server.Registry(), *seedName); err != nil {
			fmt.Fprintln(stderr, "mxharness serve:", err)
			_ = run.Close()
			return 1
		}
	}
	fmt.Fprintf(stdout, "REST API  %s/v1/  (profile %s)\n", run.APIURL, *profile)
	if !*noControl {
		fmt.Fprintf(stdout, "control   %s/sim/v1/\n", run.APIURL)
	}
	if *guiDir != "" {
		fmt.Fprintf(stdout, "MaxGUI    %s/  (admin/mariadb)\n", run.APIURL)
	}
	for _, svc := range cfg.Services {
		fmt.Fprintf(stdout, "SQL       %s  %s (%s)\n", run.SQLAddrs[svc.Name], svc.Name, svc.Router)
	}
	if err := run.Wait(); err != nil {
		logger.Error("simulator stopped", "err", err)
		return 1
	}
	logger.Info("simulator stopped")
	return 0
}

// newLogger builds the slog handler: only main decides where logs go.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q is neither text nor json", format)
}

// openGUI opens a built MaxGUI directory for WithGUI. The os.Root keeps
// every file read inside it, symbolic links included, as MaxScale's
// realpath check does.
func openGUI(dir string) (iofs.FS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("--gui: %w", err)
	}
	if _, err := root.Stat("index.html"); err != nil {
		root.Close()
		return nil, fmt.Errorf("--gui %s: no index.html: build MaxGUI with scripts/maxgui-build.sh and give the directory it prints", dir)
	}
	return root.FS(), nil
}
